//! Answers kept once and sent in the content coding each client takes. A kept answer (a
//! page for visitors, an API list of figures, a district summary download) is the same
//! bytes for every request until the next write, so each coding of it is made once, by the
//! first request that asks for it, instead of by the compression layer for every request:
//! compressed anew for each, a large answer went out many times slower to the clients that
//! take gzip (python's `requests` and every browser) than to those that take none.
//!
//! How hard to compress follows how long the answer lasts. A kept answer lives until the
//! next write; while writes arrive every few seconds, the strong levels (brotli 10: ~0.1 s
//! for the national dashboard) would be paid again and again on the first request after
//! each. So a large body is first made at a fast level, and once the answer has lasted
//! [`SETTLED`] — the data has settled — the strong coding is made off the request path and
//! served from then on. A small body is made strong at once: it costs little either way.
use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::{header, request::Parts, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, IntoResponseParts, Response};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::OnceCell;

/// How long a kept answer lasts before its strong codings are made.
pub const SETTLED: Duration = Duration::from_secs(10);

/// Bodies up to this size are made at the strong level at once (brotli 10 on 16 KB: a few
/// milliseconds).
pub const SMALL_BODY: usize = 16 * 1024;

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
struct Encoded {
    /// When the answer was kept: how long the data has stayed as it is, near enough.
    kept_at: Instant,
    brotli: Coded,
    gzip: Coded,
}

impl Encoded {
    fn coded(&self, coding: Coding) -> &Coded {
        if coding == Coding::Brotli { &self.brotli } else { &self.gzip }
    }
}

/// One coding of a body: the fast making first (large bodies), the strong one once settled.
#[derive(Default)]
struct Coded {
    fast: OnceCell<Bytes>,
    strong: OnceLock<Bytes>,
    strong_begun: AtomicBool,
}

/// A compression at one level.
type Compress = fn(&[u8], Level) -> Vec<u8>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Fast,
    Strong,
}

impl Kept {
    pub fn new(body: impl Into<Bytes>, content_type: &str) -> Kept {
        let encoded = Encoded { kept_at: Instant::now(), brotli: Coded::default(), gzip: Coded::default() };
        Kept { body: body.into(), compressible: !compressed_already(content_type), encoded: Arc::new(encoded) }
    }

    /// The body in the best coding the request takes, with that coding's
    /// `Content-Encoding` (none for the plain body).
    pub async fn body_for(&self, accepts: Accepts) -> (Bytes, Option<HeaderValue>) {
        self.body_at(accepts, Instant::now()).await
    }

    /// [`Kept::body_for`] as asked at `now`.
    async fn body_at(&self, accepts: Accepts, now: Instant) -> (Bytes, Option<HeaderValue>) {
        let coding = if self.compressible { accepts.0 } else { Coding::Identity };
        let (name, compress): (_, Compress) = match coding {
            Coding::Brotli => ("br", brotli),
            Coding::Gzip => ("gzip", gzip),
            Coding::Identity => return (self.body.clone(), None),
        };
        let own = self.encoded.coded(coding);
        if let Some(strong) = own.strong.get() {
            return (strong.clone(), Some(HeaderValue::from_static(name)));
        }
        let small = self.body.len() <= SMALL_BODY;
        if !small && now.duration_since(self.encoded.kept_at) >= SETTLED && !own.strong_begun.swap(true, Ordering::SeqCst) {
            // Made on the blocking pool while this request is served the fast coding.
            let (encoded, body) = (self.encoded.clone(), self.body.clone());
            tokio::task::spawn_blocking(move || {
                let _ = encoded.coded(coding).strong.set(Bytes::from(compress(&body, Level::Strong)));
            });
        }
        let level = if small { Level::Strong } else { Level::Fast };
        let body = self.body.clone();
        let made = own.fast.get_or_try_init(|| async move {
            tokio::task::spawn_blocking(move || Bytes::from(compress(&body, level))).await
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

/// Strong: the strongest level, for an answer that has settled (the few bytes it saves
/// cost little once); fast: level 1, a few times quicker.
fn gzip(body: &[u8], level: Level) -> Vec<u8> {
    use std::io::Write as _;
    let level = if level == Level::Strong { flate2::Compression::best() } else { flate2::Compression::fast() };
    let mut encoder = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), level);
    // Writing to a Vec cannot fail.
    let _ = encoder.write_all(body);
    encoder.finish().unwrap_or_default()
}

/// Strong: quality 10 of 11, close to 11's size at a fraction of its time, and well under
/// gzip's; fast: quality 4, tens of times quicker and still smaller than gzip's best (the
/// sizes and times are in docs/benchmarks.md).
fn brotli(body: &[u8], level: Level) -> Vec<u8> {
    let quality = if level == Level::Strong { 10 } else { 4 };
    // A window as large as the body loses nothing, and spares setting up the default 4 MB
    // (2²²) for every page: a recomputed dashboard is a few hundred kilobytes.
    let lgwin = (usize::BITS - body.len().leading_zeros()).clamp(10, 22) as i32;
    let params = brotli::enc::BrotliEncoderParams { quality, lgwin, size_hint: body.len(), ..Default::default() };
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

    fn unbrotli(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        brotli::BrotliDecompress(&mut &body[..], &mut out).unwrap();
        out
    }

    fn unzip(body: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(body), &mut out).unwrap();
        out
    }

    #[test]
    fn each_coding_gives_back_the_page() {
        let page = "<tr><td>Thanh Hóa</td><td>91,30%</td></tr>".repeat(200);
        for level in [Level::Fast, Level::Strong] {
            assert_eq!(unbrotli(&brotli(page.as_bytes(), level)), page.as_bytes());
            assert_eq!(unzip(&gzip(page.as_bytes(), level)), page.as_bytes());
            assert!(brotli(page.as_bytes(), level).len() < gzip(page.as_bytes(), level).len());
        }
    }

    /// A page of varied rows, too large to be made strong at once.
    fn large_page() -> String {
        (0..3000).map(|i| format!("<tr><td>Xã {i}</td><td>{},{:02}%</td></tr>", 60 + i * 7 % 40, i * 13 % 100)).collect()
    }

    #[tokio::test]
    async fn a_large_body_is_made_fast_then_strong_once_it_has_lasted() {
        let br = Accepts(Coding::Brotli);
        let page = large_page();
        assert!(page.len() > SMALL_BODY);
        let kept = Kept::new(page.clone(), "text/html; charset=utf-8");
        let start = kept.encoded.kept_at;
        let (fast, encoding) = kept.body_at(br, start).await;
        assert_eq!((encoding.unwrap(), unbrotli(&fast)), (HeaderValue::from_static("br"), page.clone().into_bytes()));
        assert_eq!(fast, Bytes::from(brotli(page.as_bytes(), Level::Fast)), "the fast level first");
        // Not yet settled: the fast bytes again, and nothing strong begun.
        assert_eq!(kept.body_at(br, start + SETTLED / 2).await.0.as_ptr(), fast.as_ptr());
        assert!(!kept.encoded.brotli.strong_begun.load(Ordering::SeqCst));
        // Settled: this request still gets the fast bytes, the strong ones follow.
        assert_eq!(kept.body_at(br, start + SETTLED).await.0.as_ptr(), fast.as_ptr());
        let strong = loop {
            let (body, _) = kept.body_at(br, start + SETTLED * 2).await;
            if body.as_ptr() != fast.as_ptr() {
                break body;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        assert_eq!(unbrotli(&strong), page.as_bytes());
        assert!(strong.len() < fast.len(), "{} < {}", strong.len(), fast.len());
        // gzip has its own making, the same way.
        let (gz, _) = kept.body_at(Accepts(Coding::Gzip), start + SETTLED * 3).await;
        assert_eq!(gz, Bytes::from(gzip(page.as_bytes(), Level::Fast)), "gzip's first making is fast");
    }

    #[tokio::test]
    async fn a_small_body_is_made_strong_at_once() {
        let page = "<tr><td>Thanh Hóa</td><td>91,30%</td></tr>".repeat(100);
        assert!(page.len() <= SMALL_BODY);
        let kept = Kept::new(page.clone(), "text/html");
        let (body, _) = kept.body_for(Accepts(Coding::Brotli)).await;
        assert_eq!(body, Bytes::from(brotli(page.as_bytes(), Level::Strong)));
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
