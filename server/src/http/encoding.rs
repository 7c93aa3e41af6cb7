//! Answers kept once and sent in the content coding each client takes. A kept answer (a
//! page for visitors, an API list of figures, a district summary download) is the same
//! bytes for every request until the next write, so each coding of it is made once, by the
//! first request that asks for it, instead of by the compression layer for every request:
//! compressed anew for each, a large answer went out many times slower to the clients that
//! take gzip (python's `requests` and every browser) than to those that take none.
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, IntoResponseParts, Response};
use std::sync::Arc;
use tokio::sync::OnceCell;

/// A kept body and its codings, each made on first use (clones share them).
#[derive(Clone)]
pub struct Kept {
    body: Bytes,
    /// Off for what is compressed already (a spreadsheet, a PNG): sent as it is.
    compressible: bool,
    encoded: Arc<Encoded>,
}

/// What is compressed already, so that compressing it again costs time for no bytes: a
/// spreadsheet (a zip) and images other than SVG. The one rule for kept answers and for
/// the compression layer over every other answer (`http::with_layers`).
pub fn compressed_already(content_type: &str) -> bool {
    let t = content_type.trim_start().to_ascii_lowercase();
    t.starts_with(crate::formats::Format::Xlsx.content_type()) || (t.starts_with("image/") && !t.starts_with("image/svg+xml"))
}

/// The codings made so far. A browser reaching the server over plain HTTP is never offered
/// brotli (browsers ask for it only over HTTPS), so such a server never spends time on it.
#[derive(Default)]
struct Encoded {
    brotli: OnceCell<Bytes>,
    gzip: OnceCell<Bytes>,
}

impl Kept {
    pub fn new(body: impl Into<Bytes>, content_type: &str) -> Kept {
        Kept { body: body.into(), compressible: !compressed_already(content_type), encoded: Arc::default() }
    }

    /// The body in the best coding the request takes, with that coding's
    /// `Content-Encoding` (none for the plain body).
    pub async fn body_for(&self, accepts: Accepts) -> (Bytes, Option<HeaderValue>) {
        let coding = if self.compressible { accepts.0 } else { Coding::Identity };
        let (cell, compress, name): (_, fn(&[u8]) -> Vec<u8>, _) = match coding {
            Coding::Brotli => (&self.encoded.brotli, brotli, "br"),
            Coding::Gzip => (&self.encoded.gzip, gzip, "gzip"),
            Coding::Identity => return (self.body.clone(), None),
        };
        let body = self.body.clone();
        let made = cell.get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || Bytes::from(compress(&body))).await
        });
        match made.await {
            Ok(encoded) => (encoded.clone(), Some(HeaderValue::from_static(name))),
            // Compressing failed (a panic on the blocking pool): the plain body is as right.
            Err(_) => (self.body.clone(), None),
        }
    }

    /// The kept body as the answer to a request, with `parts` (its content type and the
    /// like) and `Vary: accept-encoding`.
    pub async fn respond(&self, accepts: Accepts, parts: impl IntoResponseParts) -> Response {
        let (body, encoding) = self.body_for(accepts).await;
        let mut response = (parts, body).into_response();
        let headers = response.headers_mut();
        if let Some(encoding) = encoding {
            // Already compressed: the compression layer leaves an encoded answer as it is.
            headers.insert(header::CONTENT_ENCODING, encoding);
        }
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
        response
    }
}

/// The coding a request takes, read from its `Accept-Encoding` (an extractor, and read by
/// the page cache before it hands the request on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Accepts(Coding);

impl Accepts {
    pub fn of(request: &HeaderMap) -> Accepts {
        Accepts(Coding::of(request))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Accepts {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Accepts::of(&parts.headers))
    }
}

/// How a kept answer is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Coding {
    Brotli,
    Gzip,
    Identity,
}

impl Coding {
    /// The best coding the request takes (`Accept-Encoding`): brotli is the smaller, then
    /// gzip, else the plain body. A coding named with `q=0` is refused even where `*`
    /// takes the rest (RFC 9110 12.5.3).
    fn of(headers: &HeaderMap) -> Coding {
        let offers = || {
            headers.get_all(header::ACCEPT_ENCODING).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(',')).map(
                |coding| {
                    let mut parts = coding.split(';').map(str::trim);
                    let name = parts.next().unwrap_or("").to_ascii_lowercase();
                    let refused =
                        parts.any(|p| p.strip_prefix("q=").and_then(|q| q.trim().parse::<f32>().ok()) == Some(0.0));
                    (name, !refused)
                },
            )
        };
        let accepts = |wanted: &str| {
            let named = offers().find(|(name, _)| name == wanted).map(|(_, taken)| taken);
            named.unwrap_or_else(|| offers().any(|(name, taken)| name == "*" && taken))
        };
        if accepts("br") {
            Coding::Brotli
        } else if accepts("gzip") {
            Coding::Gzip
        } else {
            Coding::Identity
        }
    }
}

/// At the strongest level: an answer is compressed once per version of the data, so the
/// few bytes it saves cost little.
fn gzip(body: &[u8]) -> Vec<u8> {
    use std::io::Write as _;
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::best());
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// Quality 10 of 11: close to 11's size at a fraction of its time, and well under gzip's
/// (the sizes and times are in docs/benchmarks.md). Paid once per answer and version of
/// the data, by the first request after a write that takes brotli.
fn brotli(body: &[u8]) -> Vec<u8> {
    let params = brotli::enc::BrotliEncoderParams { quality: 10, size_hint: body.len(), ..Default::default() };
    let mut out = Vec::with_capacity(body.len() / 8);
    // Reading a slice and writing to a Vec cannot fail.
    let _ = brotli::BrotliCompress(&mut &body[..], &mut out, &params);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zips_and_pictures_are_compressed_already() {
        for t in ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "image/png", "IMAGE/JPEG"] {
            assert!(compressed_already(t), "{t}");
        }
        for t in ["text/html; charset=utf-8", "text/csv; charset=utf-8", "application/json", "image/svg+xml", ""] {
            assert!(!compressed_already(t), "{t}");
        }
    }

    #[test]
    fn brotli_is_taken_then_gzip_unless_refused() {
        let with = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            Coding::of(&h)
        };
        for v in ["gzip, deflate, br", "br;q=1.0, gzip;q=0.8", "gzip;q=0.5, BR", "*", "br"] {
            assert_eq!(with(v), Coding::Brotli, "{v}");
        }
        for v in ["gzip, deflate", "GZIP", "br;q=0, gzip", "br; q=0.0, *", "BR;q=0, *;q=0.5"] {
            assert_eq!(with(v), Coding::Gzip, "{v}");
        }
        for v in ["identity", "deflate", "gzip;q=0", "br;q=0, gzip; q=0.0", "*;q=0", "br;q=0, gzip;q=0, *"] {
            assert_eq!(with(v), Coding::Identity, "{v}");
        }
        assert_eq!(Coding::of(&HeaderMap::new()), Coding::Identity);
    }

    #[test]
    fn each_coding_gives_back_the_page() {
        let page = "<tr><td>Thanh Hóa</td><td>91,30%</td></tr>".repeat(200);
        let mut unbrotlied = Vec::new();
        brotli::BrotliDecompress(&mut &brotli(page.as_bytes())[..], &mut unbrotlied).unwrap();
        assert_eq!(unbrotlied, page.as_bytes());
        let mut unzipped = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&gzip(page.as_bytes())[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, page.as_bytes());
        assert!(brotli(page.as_bytes()).len() < gzip(page.as_bytes()).len());
    }

    #[tokio::test]
    async fn a_kept_body_goes_out_in_the_coding_taken_and_made_once() {
        let accepts = |v: &str| {
            let mut h = HeaderMap::new();
            h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(v).unwrap());
            Accepts::of(&h)
        };
        let json = "[{\"district_code\":\"D1\",\"respondents\":120}]".repeat(50);
        let kept = Kept::new(json.clone(), "application/json");
        let (gz, encoding) = kept.body_for(accepts("gzip")).await;
        assert_eq!(encoding.unwrap(), "gzip");
        let mut unzipped = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut unzipped).unwrap();
        assert_eq!(unzipped, json);
        // The second request gets the same bytes, made once (the same allocation).
        assert_eq!(kept.clone().body_for(accepts("gzip, br;q=0")).await.0.as_ptr(), gz.as_ptr());
        let (br, encoding) = kept.body_for(accepts("gzip, br")).await;
        assert_eq!(encoding.unwrap(), "br");
        assert!(br.len() < gz.len());
        let (plain, encoding) = kept.body_for(accepts("identity")).await;
        assert_eq!((plain.as_ref(), encoding), (json.as_bytes(), None));
        // A spreadsheet is compressed already: sent as it is.
        let xlsx = Kept::new(&b"PK\x03\x04"[..], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        assert_eq!(xlsx.body_for(accepts("gzip, br")).await, (Bytes::from_static(b"PK\x03\x04"), None));
    }
}
