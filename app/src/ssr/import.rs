//! Import of the interchange contract's four tables, all of it in one write transaction or
//! nothing: rows are parsed, checked against the database as it is inside that transaction,
//! and written. Survey counts go through the one write path (`writes::surveys`) like an
//! entry or an API call. Readers for CSV and XLSX hand over [`Table`]s; this module does
//! not care which file format they came from.
use super::entities::{reform_model, unit};
use super::writes::{self, adoptions, models, surveys, Audit, Written};
use super::Db;
use crate::domain::access::Writer;
use crate::domain::reference::{
    self, AdoptionDraft, AdoptionFacts, AdoptionRecord, Fault, Faults, ModelDraft, ModelRecord, UnitDraft, UnitRecord,
};
use crate::domain::survey::{Broken, SurveyDraft, LEVEL_FIELDS};
use crate::domain::{DateSpan, UnitLevel};
use sea_orm::{DbErr, EntityTrait};
use std::collections::{HashMap, HashSet};
use std::fmt;

/// One sheet of input: its label for messages (`units.csv`), header and data rows.
#[derive(Clone, Debug, Default)]
pub struct Table {
    pub file: String,
    pub header: Vec<String>,
    /// (line number in the source, cells). The header is line 1.
    pub rows: Vec<(u64, Vec<String>)>,
}

/// One row as read: its line in the source and its cells, or why it could not be read.
pub type RowRead = Result<(u64, Vec<String>), Problem>;

/// A table handed over a row at a time: a national survey file has millions of rows, and
/// the import checks and writes them a chunk at a time, so that memory stays bounded
/// whatever the file's size. A [`Table`] already in memory converts into one.
pub struct RowStream {
    pub file: String,
    pub header: Vec<String>,
    pub rows: Box<dyn Iterator<Item = RowRead> + Send>,
}

impl From<Table> for RowStream {
    fn from(t: Table) -> Self {
        RowStream { file: t.file, header: t.header, rows: Box::new(t.rows.into_iter().map(Ok)) }
    }
}

impl fmt::Debug for RowStream {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RowStream").field("file", &self.file).field("header", &self.header).finish_non_exhaustive()
    }
}

/// The contract's four tables; any may be absent.
#[derive(Debug, Default)]
pub struct ImportSet {
    pub units: Option<Table>,
    pub models: Option<Table>,
    pub adoptions: Option<Table>,
    pub surveys: Option<RowStream>,
    /// Problems met while reading the files, reported with the rest.
    pub problems: Vec<Problem>,
}

/// One problem with the input, shown as `file:line: column: reason`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    pub line: u64,
    pub column: String,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}: {}", self.file, self.line, self.column, self.reason)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{} problem(s) in the input; nothing was written", .0.len())]
    Invalid(Vec<Problem>),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
    #[error("{0}")]
    Refused(String),
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ImportOptions {
    /// Overwrite rows whose key exists with different values (old values go to the audit log).
    pub update: bool,
}

/// What a run did, per table: rows added, rows changed, rows already there as given.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub tables: Vec<(&'static str, Written)>,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (name, r) in &self.tables {
            writeln!(f, "{name}: {} inserted, {} updated, {} unchanged", r.inserted, r.updated, r.unchanged)?;
        }
        Ok(())
    }
}

pub use super::writes::Progress;

// ---------------------------------------------------------------------------------------
// Parsing rows

/// Where each of the contract's columns sits in a table's rows.
struct Columns {
    index: HashMap<&'static str, usize>,
}

impl Columns {
    /// Checks the header against the contract: every required column present, no unknown one.
    fn check(
        table: &Table,
        allowed: &[&'static str],
        required: &[&'static str],
        problems: &mut Vec<Problem>,
    ) -> Option<Self> {
        let mut index = HashMap::new();
        let mut ok = true;
        for (i, raw) in table.header.iter().enumerate() {
            let name = raw.trim_start_matches('\u{feff}').trim();
            match allowed.iter().find(|a| **a == name) {
                Some(a) if index.contains_key(a) => {
                    ok = false;
                    problems.push(problem(table, 1, name, "column appears twice".into()));
                }
                Some(a) => {
                    index.insert(*a, i);
                }
                None => {
                    ok = false;
                    problems.push(problem(
                        table,
                        1,
                        name,
                        format!("unknown column (expected some of: {})", allowed.join(", ")),
                    ));
                }
            }
        }
        for r in required {
            if !index.contains_key(r) {
                ok = false;
                problems.push(problem(table, 1, r, "required column is missing".into()));
            }
        }
        ok.then_some(Columns { index })
    }

    fn cell<'r>(&self, row: &'r [String], col: &str) -> Option<&'r str> {
        self.index.get(col).and_then(|&i| row.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

fn problem(table: &Table, line: u64, column: &str, reason: String) -> Problem {
    Problem { file: table.file.clone(), line, column: column.to_string(), reason }
}

/// Runs `f` over every data row of a table whose header passed [`Columns::check`], with a
/// reader of the row's cells by column name (trimmed; empty when absent).
fn for_each_row(
    table: &Table,
    allowed: &[&'static str],
    required: &[&'static str],
    problems: &mut Vec<Problem>,
    mut f: impl FnMut(u64, &dyn Fn(&str) -> String, &mut Vec<Problem>),
) {
    let Some(cols) = Columns::check(table, allowed, required, problems) else { return };
    for (line, cells) in &table.rows {
        let cell = |c: &str| cols.cell(cells, c).unwrap_or_default().to_string();
        f(*line, &cell, problems);
    }
}

/// A row checked by the contract's pure rules (`domain::reference`): its record, or each
/// problem at its column.
fn checked<R>(
    table: &Table,
    line: u64,
    parsed: Result<R, Faults>,
    problems: &mut Vec<Problem>,
    out: &mut Vec<(u64, R)>,
) {
    match parsed {
        Ok(r) => out.push((line, r)),
        Err(faults) => problems.extend(faults.into_iter().map(|(c, f)| problem(table, line, &c, f.to_string()))),
    }
}

pub const UNIT_COLUMNS: [&str; 8] =
    ["code", "name", "level", "parent_code", "kind", "valid_from", "valid_to", "successor_code"];
pub const MODEL_COLUMNS: [&str; 5] = ["code", "name", "category", "description", "launched_on"];
pub const ADOPTION_COLUMNS: [&str; 6] = ["unit_code", "model_code", "started_on", "ended_on", "stage", "steered_by"];
pub const SURVEY_COLUMNS: [&str; 10] = [
    "unit_code",
    "model_code",
    "period",
    "respondents",
    "satisfied",
    "very_satisfied",
    "fairly_satisfied",
    "neutral",
    "dissatisfied",
    "very_dissatisfied",
];

fn parse_units(t: &Table, problems: &mut Vec<Problem>) -> Vec<(u64, UnitRecord)> {
    let mut out = Vec::new();
    for_each_row(t, &UNIT_COLUMNS, &["code", "name", "level"], problems, |line, cell, problems| {
        let draft = UnitDraft {
            code: cell("code"),
            name: cell("name"),
            level: cell("level"),
            parent_code: cell("parent_code"),
            kind: cell("kind"),
            valid_from: cell("valid_from"),
            valid_to: cell("valid_to"),
            successor_code: cell("successor_code"),
        };
        checked(t, line, reference::parse_unit(&draft), problems, &mut out);
    });
    out
}

fn parse_models(t: &Table, problems: &mut Vec<Problem>) -> Vec<(u64, ModelRecord)> {
    let mut out = Vec::new();
    for_each_row(t, &MODEL_COLUMNS, &["code", "name"], problems, |line, cell, problems| {
        let draft = ModelDraft {
            code: cell("code"),
            name: cell("name"),
            category: cell("category"),
            description: cell("description"),
            launched_on: cell("launched_on"),
        };
        checked(t, line, reference::parse_model(&draft), problems, &mut out);
    });
    out
}

fn parse_adoptions(t: &Table, problems: &mut Vec<Problem>) -> Vec<(u64, AdoptionRecord)> {
    let mut out = Vec::new();
    for_each_row(t, &ADOPTION_COLUMNS, &["unit_code", "model_code", "started_on"], problems, |line, cell, problems| {
        let draft = AdoptionDraft {
            unit_code: cell("unit_code"),
            model_code: cell("model_code"),
            started_on: cell("started_on"),
            ended_on: cell("ended_on"),
            stage: cell("stage"),
            steered_by: cell("steered_by"),
        };
        checked(t, line, reference::parse_adoption(&draft), problems, &mut out);
    });
    out
}

/// A survey row as a draft for the write path, which checks it like any other entry.
fn survey_draft(cols: &Columns, line: u64, cells: &[String]) -> surveys::SurveyWrite {
    let cell = |c: &str| cols.cell(cells, c).unwrap_or_default().to_string();
    let draft = SurveyDraft {
        unit_code: cell("unit_code"),
        model_code: cell("model_code"),
        period: cell("period"),
        respondents: cell("respondents"),
        satisfied: cell("satisfied"),
        levels: LEVEL_FIELDS.map(|f| cell(f.column())),
    };
    surveys::SurveyWrite { line, draft, version: None }
}

/// PostgreSQL plans a chunk's reads of the stored counts with the table's statistics, and
/// inside the import's transaction those are the table's before the import: an empty one
/// (never analyzed) got plans that read every row written so far (by the period index, or
/// sequentially) for each read, each longer as the import wrote more. Analyzed again each
/// time the rows written doubled (a few times for a whole country, each quick); ANALYZE
/// counts the transaction's own rows,
/// and plans made with the old statistics are made again.
async fn refresh_statistics(txn: &sea_orm::DatabaseTransaction) -> Result<(), DbErr> {
    use sea_orm::ConnectionTrait;
    if txn.get_database_backend() == sea_orm::DbBackend::Postgres {
        txn.execute_unprepared("ANALYZE survey_counts, survey_sums, period_sums, unit_reports").await?;
    }
    Ok(())
}

/// Survey rows per call of the write path: large enough that a chunk's reads are few, small
/// enough that a chunk's rows, drafts and stored neighbours take a few megabytes.
const SURVEY_CHUNK: usize = 20_000;

/// The records of checked rows, without their lines.
fn records<R: Clone>(rows: &[(u64, R)]) -> Vec<R> {
    rows.iter().map(|(_, r)| r.clone()).collect()
}

/// Reports a key that appears twice in one file.
fn check_unique<K: std::hash::Hash + Eq + Clone>(
    table: &Table,
    column: &str,
    rows: impl Iterator<Item = (u64, K, String)>,
    problems: &mut Vec<Problem>,
) {
    let mut first: HashMap<K, u64> = HashMap::new();
    for (line, key, shown) in rows {
        if let Some(prev) = first.get(&key) {
            problems.push(problem(table, line, column, format!("duplicate key {shown} (first on line {prev})")));
        } else {
            first.insert(key, line);
        }
    }
}

// ---------------------------------------------------------------------------------------
// The run

/// Validates the whole set against itself and the database, then writes it in one
/// transaction. Any problem: nothing is written and every problem is returned.
pub async fn import(
    db: &Db,
    set: ImportSet,
    opts: ImportOptions,
    actor: &str,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportError> {
    let mut problems = set.problems;
    let units = set.units.as_ref().map(|t| (t, parse_units(t, &mut problems)));
    let models = set.models.as_ref().map(|t| (t, parse_models(t, &mut problems)));
    let adoptions = set.adoptions.as_ref().map(|t| (t, parse_adoptions(t, &mut problems)));

    if let Some((t, rows)) = &units {
        check_unique(t, "code", rows.iter().map(|(l, r)| (*l, r.code.clone(), r.code.clone())), &mut problems);
    }
    if let Some((t, rows)) = &models {
        check_unique(t, "code", rows.iter().map(|(l, r)| (*l, r.code.clone(), r.code.clone())), &mut problems);
    }
    if let Some((t, rows)) = &adoptions {
        check_unique(
            t,
            "started_on",
            rows.iter().map(|(l, r)| (*l, adoptions::key_of(r), format!("({}, {}, {})", r.unit_code, r.model_code, r.started_on))),
            &mut problems,
        );
    }
    // Everything below reads inside the write transaction, which holds the write lock:
    // what is checked is what is written over.
    let txn = writes::begin(db).await?;
    // References resolve against the file set first, then the database.
    let db_units: HashMap<String, unit::Model> =
        unit::Entity::find().all(&txn).await?.into_iter().map(|u| (u.code.clone(), u)).collect();
    let db_models: HashMap<String, reform_model::Model> =
        reform_model::Entity::find().all(&txn).await?.into_iter().map(|m| (m.code.clone(), m)).collect();
    let file_units: HashMap<&str, &UnitRecord> =
        units.iter().flat_map(|(_, rows)| rows.iter().map(|(_, r)| (r.code.as_str(), r))).collect();
    let model_codes: HashSet<&str> = db_models
        .keys()
        .map(String::as_str)
        .chain(models.iter().flat_map(|(_, rows)| rows.iter().map(|(_, r)| r.code.as_str())))
        .collect();
    // The level of every unit the run can see; the file's version wins.
    let unit_level = |code: &str| -> Option<UnitLevel> {
        if let Some(r) = file_units.get(code) {
            return Some(r.level);
        }
        db_units.get(code).and_then(|u| u.level.parse().ok())
    };

    if let Some((t, rows)) = &units {
        for (line, r) in rows {
            let mut faults = reference::check_unit(r, &unit_level);
            if let Some(old) = db_units.get(&r.code) {
                faults.extend(writes::units::surveys_outside(&txn, old, r).await?);
            }
            for (column, fault) in faults {
                problems.push(problem(t, *line, &column, fault.to_string()));
            }
        }
    }
    if let Some((t, rows)) = &adoptions {
        for (line, r) in rows {
            let facts = AdoptionFacts { unit_level: unit_level(&r.unit_code), model_known: model_codes.contains(r.model_code.as_str()) };
            for (column, fault) in reference::check_adoption(r, facts) {
                problems.push(problem(t, *line, &column, fault.to_string()));
            }
        }
    }
    // Keys that already exist with other values are refused unless told to update.
    let existing_adoptions = match &adoptions {
        Some((_, rows)) if !rows.is_empty() => adoptions::stored_of(&txn, rows.iter().map(|(_, r)| r)).await?,
        _ => HashMap::new(),
    };
    if !opts.update {
        let changed = |t: &Table, line: u64, column: &str, what: String| problem(t, line, column, Fault::Exists(what).to_string());
        if let Some((t, rows)) = &units {
            for (line, r) in rows.iter().filter(|(_, r)| db_units.get(&r.code).is_some_and(|old| !writes::units::same(old, r))) {
                problems.push(changed(t, *line, "code", format!("unit `{}`", r.code)));
            }
        }
        if let Some((t, rows)) = &models {
            for (line, r) in rows.iter().filter(|(_, r)| db_models.get(&r.code).is_some_and(|old| !models::same(old, r))) {
                problems.push(changed(t, *line, "code", format!("model `{}`", r.code)));
            }
        }
        if let Some((t, rows)) = &adoptions {
            for (line, r) in rows {
                if existing_adoptions.get(&adoptions::key_of(r)).is_some_and(|old| !adoptions::same(old, r)) {
                    let what = format!("adoption ({}, {}, {})", r.unit_code, r.model_code, r.started_on);
                    problems.push(changed(t, *line, "started_on", what));
                }
            }
        }
    }

    let action = if opts.update { "import --update" } else { "import" };
    let audit = Audit::new(actor.to_string(), action, None);
    let mut report = ImportReport::default();
    let clean = problems.is_empty();
    if clean {
        if let Some((_, rows)) = &models {
            report.tables.push(("models", models::import(&txn, &records(rows), &db_models, &audit, progress).await?));
        }
        if let Some((_, rows)) = &units {
            report.tables.push(("units", writes::units::import(&txn, &records(rows), &db_units, &audit, progress).await?));
        }
        if let Some((_, rows)) = &adoptions {
            report.tables.push(("adoptions", adoptions::import(&txn, &records(rows), &existing_adoptions, &audit, progress).await?));
        }
    }
    // Survey counts are checked even when other files have problems, so that one run
    // reports everything; the file's units and models count as known.
    if let Some(mut stream) = set.surveys {
        let mut pending = surveys::Pending {
            units: file_units
                .values()
                .map(|u| (u.code.clone(), (DateSpan::new(u.valid_from, u.valid_to), u.parent_code.clone())))
                .collect(),
            models: models.iter().flat_map(|(_, rows)| rows.iter().map(|(_, r)| r.code.clone())).collect(),
            ..Default::default()
        };
        let writer = Writer::Command(actor.to_string());
        let head = Table { file: stream.file.clone(), header: stream.header.clone(), rows: Vec::new() };
        let required = ["unit_code", "period", "respondents", "satisfied"];
        if let Some(cols) = Columns::check(&head, &SURVEY_COLUMNS, &required, &mut problems) {
            // Chunk by chunk in the one transaction: each chunk is checked against what the
            // earlier ones wrote (its overlaps) and against the keys they held (`pending.seen`,
            // for duplicates), so every duplicate and overlap is found; one across chunks is
            // reported on the later row, naming the earlier one's line.
            let mut written = Written::default();
            let mut analyzed_at = 0;
            loop {
                let mut rows = Vec::with_capacity(SURVEY_CHUNK);
                for read in stream.rows.by_ref() {
                    match read {
                        Ok((line, cells)) => rows.push(survey_draft(&cols, line, &cells)),
                        Err(p) => problems.push(p),
                    }
                    if rows.len() == SURVEY_CHUNK {
                        break;
                    }
                }
                if rows.is_empty() {
                    break;
                }
                let batch = surveys::Batch {
                    writer: &writer,
                    rows: &rows,
                    replace: opts.update,
                    today: None,
                    advice: surveys::Advice::Skip,
                    confirmed: true,
                    audit: &audit,
                };
                let before = written.inserted;
                // The whole file's size is not known ahead: the count so far is the total.
                let chunk_progress = |t: &str, done: u64, _: u64| progress(t, before + done, before + done);
                match surveys::save(&txn, &batch, &mut pending, &chunk_progress).await {
                    Ok(saved) => {
                        written.add(saved.written);
                        if written.inserted >= 2 * analyzed_at.max(SURVEY_CHUNK as u64 / 2) {
                            refresh_statistics(&txn).await?;
                            analyzed_at = written.inserted;
                        }
                    }
                    Err(surveys::SurveyWriteError::Invalid(found)) => problems.extend(found.into_iter().map(|p| Problem {
                        file: stream.file.clone(),
                        line: p.line,
                        column: p.field.column().to_string(),
                        reason: match p.broken {
                            Broken::Exists { .. } => format!("{} (import with --update to replace them)", p.broken),
                            other => other.to_string(),
                        },
                    })),
                    Err(surveys::SurveyWriteError::Db(e)) => return Err(ImportError::Db(e)),
                    Err(other) => return Err(ImportError::Refused(other.to_string())),
                }
            }
            report.tables.push(("surveys", written));
        }
    }

    if !problems.is_empty() {
        // Dropping the transaction rolls back whatever was written above.
        problems.sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Err(ImportError::Invalid(problems));
    }
    let summary: std::collections::BTreeMap<&str, Written> = report.tables.iter().copied().collect();
    audit.record(&txn, "import", action.to_string(), None, Some(&summary), &[]).await?;
    txn.commit().await?;
    Ok(report)
}
