//! The download formats: the district summary as CSV (UTF-8 with BOM), XLSX and JSON, and
//! the four raw tables in the import format so that an export imports back unchanged.
use app::domain::{DistrictSummaryRow, DISTRICT_SUMMARY_COLUMNS};
use app::ssr::entities::{adoption, reform_model, unit};
use app::ssr::tables::SurveyLine;
use app::ssr::import::{ADOPTION_COLUMNS, MODEL_COLUMNS, SURVEY_COLUMNS, UNIT_COLUMNS};
use rust_xlsxwriter::{Format as CellFormat, Workbook, XlsxError};
use std::str::FromStr;

/// Excel only reads a CSV as UTF-8 when it starts with this mark.
pub const BOM: &str = "\u{feff}";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    Csv,
    Xlsx,
    Json,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Format::Json => "application/json",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
            Format::Json => "json",
        }
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "csv" => Ok(Format::Csv),
            "xlsx" => Ok(Format::Xlsx),
            "json" => Ok(Format::Json),
            other => Err(format!("unknown format `{other}` (csv, xlsx or json)")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FormatError {
    #[error("xlsx: {0}")]
    Xlsx(#[from] XlsxError),
    #[error("csv: {0}")]
    Csv(#[from] csv::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
}

pub fn district_summary(rows: &[DistrictSummaryRow], format: Format) -> Result<Vec<u8>, FormatError> {
    match format {
        Format::Csv => {
            let mut out = csv_with_bom(&DISTRICT_SUMMARY_COLUMNS)?;
            for r in rows {
                write_row(&mut out, r.csv_cells())?;
            }
            finish(out)
        }
        Format::Json => {
            let mut out = serde_json::to_vec_pretty(rows)?;
            out.push(b'\n');
            Ok(out)
        }
        Format::Xlsx => district_summary_xlsx(rows),
    }
}

fn district_summary_xlsx(rows: &[DistrictSummaryRow]) -> Result<Vec<u8>, FormatError> {
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("district_summary")?;
    let bold = CellFormat::new().set_bold();
    let two_dp = CellFormat::new().set_num_format("0.00");
    for (c, name) in DISTRICT_SUMMARY_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *name, &bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        let f = &r.figures;
        sheet.write_string(row, 0, &r.district_code)?;
        sheet.write_string(row, 1, &r.district_name)?;
        sheet.write_number(row, 2, f.communes as f64)?;
        sheet.write_number(row, 3, f.communes_adopting as f64)?;
        sheet.write_number(row, 5, f.respondents as f64)?;
        sheet.write_number(row, 6, f.satisfied as f64)?;
        // An empty rate stays an empty cell, as in the CSV.
        for (col, p) in [(4u16, f.adoption_rate), (7, f.satisfaction_rate), (8, f.ci_low), (9, f.ci_high)] {
            if let Some(p) = p {
                sheet.write_number_with_format(row, col, p.rounded(), &two_dp)?;
            }
        }
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 28)?;
    for c in 2..10u16 {
        sheet.set_column_width(c, 18)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(book.save_to_buffer()?)
}

/// Any figure table as CSV: UTF-8 with BOM, the header, then the rows' cells.
pub fn table_csv_of<H: AsRef<str>, C: AsRef<str>>(
    header: &[H],
    rows: impl IntoIterator<Item = Vec<C>>,
) -> Result<Vec<u8>, FormatError> {
    let mut w = csv::WriterBuilder::new().from_writer(BOM.as_bytes().to_vec());
    write_row(&mut w, header)?;
    for r in rows {
        write_row(&mut w, r)?;
    }
    finish(w)
}

/// Every CSV row goes out through here: a stored text that a spreadsheet would run as a
/// formula is written as text (`'=…`), whatever wrote it there before the rule existed.
fn write_row<W: std::io::Write, S: AsRef<str>>(
    w: &mut csv::Writer<W>,
    cells: impl IntoIterator<Item = S>,
) -> Result<(), csv::Error> {
    w.write_record(cells.into_iter().map(|c| app::domain::rules::neutralise_formula(c.as_ref()).into_owned()))
}

fn csv_with_bom(header: &[&str]) -> Result<csv::Writer<Vec<u8>>, csv::Error> {
    let mut w = csv::WriterBuilder::new().from_writer(BOM.as_bytes().to_vec());
    write_row(&mut w, header)?;
    Ok(w)
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<Vec<u8>, FormatError> {
    w.into_inner().map_err(|e| FormatError::Csv(e.into_error().into()))
}

fn opt(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string()).unwrap_or_default()
}

pub fn units_csv(rows: &[unit::Model]) -> Result<Vec<u8>, FormatError> {
    let mut w = csv_with_bom(&UNIT_COLUMNS)?;
    for u in rows {
        write_row(&mut w, [
            u.code.as_str(),
            &u.name,
            &u.level,
            opt(&u.parent_code),
            opt(&u.kind),
            &date(u.valid_from),
            &date(u.valid_to),
            opt(&u.successor_code),
        ])?;
    }
    finish(w)
}

pub fn models_csv(rows: &[reform_model::Model]) -> Result<Vec<u8>, FormatError> {
    let mut w = csv_with_bom(&MODEL_COLUMNS)?;
    for m in rows {
        write_row(&mut w, [m.code.as_str(), &m.name, opt(&m.category), opt(&m.description), &date(m.launched_on)])?;
    }
    finish(w)
}

pub fn adoptions_csv(rows: &[adoption::Model]) -> Result<Vec<u8>, FormatError> {
    let mut w = csv_with_bom(&ADOPTION_COLUMNS)?;
    for a in rows {
        write_row(&mut w, [
            a.unit_code.as_str(),
            &a.model_code,
            &date(Some(a.started_on)),
            &date(a.ended_on),
            &a.stage,
            opt(&a.steered_by),
        ])?;
    }
    finish(w)
}

/// Survey count rows as CSV lines (no header).
fn survey_lines(rows: &[SurveyLine]) -> Result<Vec<u8>, FormatError> {
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    for s in rows {
        let level = |v: Option<i32>| v.map(|n| n.to_string()).unwrap_or_default();
        let [very, fairly, neutral, dis, very_dis] = s.levels.map(level);
        write_row(&mut w, [
            s.unit_code.as_str(),
            opt(&s.model_code),
            &s.period,
            &s.respondents.to_string(),
            &s.satisfied.to_string(),
            &very,
            &fairly,
            &neutral,
            &dis,
            &very_dis,
        ])?;
    }
    finish(w)
}

enum Cursor {
    Header,
    After(Option<app::ssr::tables::SurveyKey>),
    Done,
}

/// `surveys.csv` as a stream of chunks, the header first, then one chunk per page of
/// [`app::ssr::tables::SURVEY_PAGE`] rows read from the database: the memory an export
/// takes is one page, whatever the table's size.
pub fn surveys_csv_stream(
    db: app::ssr::Db,
) -> impl futures_util::Stream<Item = Result<Vec<u8>, TableExportError>> + Send + 'static {
    use app::ssr::tables::{surveys_after, SURVEY_PAGE};
    futures_util::stream::try_unfold(Cursor::Header, move |cursor| {
        let db = db.clone();
        async move {
            match cursor {
                Cursor::Header => {
                    let header = csv_with_bom(&SURVEY_COLUMNS).map_err(FormatError::from)?;
                    Ok(Some((finish(header)?, Cursor::After(None))))
                }
                Cursor::After(after) => {
                    let rows = surveys_after(&db, after.as_ref(), SURVEY_PAGE).await?;
                    let next = match rows.last() {
                        None => return Ok(None),
                        Some(_) if (rows.len() as u64) < SURVEY_PAGE => Cursor::Done,
                        Some(last) => Cursor::After(Some(last.key())),
                    };
                    Ok(Some((survey_lines(&rows)?, next)))
                }
                Cursor::Done => Ok(None),
            }
        }
    })
}

/// The four raw tables by their file names, for `export tables` and the HTTP downloads.
pub const TABLE_NAMES: [&str; 4] = ["units", "models", "adoptions", "surveys"];

/// One of the three small tables whole (units, models, adoptions); `surveys` streams
/// ([`surveys_csv_stream`], or [`write_table_csv`] to a file).
pub async fn table_csv(db: &app::ssr::Db, name: &str) -> Result<Option<Vec<u8>>, TableExportError> {
    use app::ssr::tables;
    Ok(Some(match name {
        "units" => units_csv(&tables::units(db, None, None).await?)?,
        "models" => models_csv(&tables::models(db).await?)?,
        "adoptions" => adoptions_csv(&tables::adoptions(db, None, None).await?)?,
        _ => return Ok(None),
    }))
}

/// Any of the four tables into `out`, the survey counts page by page.
pub async fn write_table_csv(
    db: &app::ssr::Db,
    name: &str,
    out: &mut impl std::io::Write,
) -> Result<bool, TableExportError> {
    use futures_util::TryStreamExt;
    if name == "surveys" {
        let mut chunks = std::pin::pin!(surveys_csv_stream(db.clone()));
        while let Some(chunk) = chunks.try_next().await? {
            out.write_all(&chunk).map_err(TableExportError::Io)?;
        }
        return Ok(true);
    }
    match table_csv(db, name).await? {
        Some(bytes) => out.write_all(&bytes).map(|_| true).map_err(TableExportError::Io),
        None => Ok(false),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TableExportError {
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Format(#[from] FormatError),
    #[error("{0}")]
    Io(std::io::Error),
}
