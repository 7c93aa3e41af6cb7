//! Import of the interchange contract's four tables, all of it in one write transaction or
//! nothing: rows are parsed, checked against the database as it is inside that transaction,
//! and written. Survey counts go through the one write path (`writes::surveys`) like an
//! entry or an API call. Readers for CSV and XLSX hand over [`Table`]s; this module does
//! not care which file format they came from.
use super::entities::{adoption, reform_model, unit};
use super::writes::{self, insert_chunked, surveys, Audit, Written};
use super::Db;
use crate::domain::access::Writer;
use crate::domain::survey::{SurveyDraft, LEVEL_FIELDS};
use crate::domain::{rules, AdoptionStage, DateSpan, SteeredBy, UnitLevel};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseTransaction, DbErr, EntityTrait, QueryFilter};
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

/// The contract's four tables; any may be absent.
#[derive(Clone, Debug, Default)]
pub struct ImportSet {
    pub units: Option<Table>,
    pub models: Option<Table>,
    pub adoptions: Option<Table>,
    pub surveys: Option<Table>,
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

struct Columns<'t> {
    table: &'t Table,
    index: HashMap<&'static str, usize>,
}

impl<'t> Columns<'t> {
    /// Checks the header against the contract: every required column present, no unknown one.
    fn check(
        table: &'t Table,
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
        ok.then_some(Columns { table, index })
    }

    fn cell<'r>(&self, row: &'r [String], col: &str) -> Option<&'r str> {
        self.index.get(col).and_then(|&i| row.get(i)).map(|s| s.trim()).filter(|s| !s.is_empty())
    }
}

fn problem(table: &Table, line: u64, column: &str, reason: String) -> Problem {
    Problem { file: table.file.clone(), line, column: column.to_string(), reason }
}

/// Reads one row's cells into typed values, collecting a problem per bad cell.
struct RowReader<'a, 't> {
    cols: &'a Columns<'t>,
    line: u64,
    cells: &'a [String],
    problems: &'a mut Vec<Problem>,
    /// A code or text broke a write rule: the row is reported once and goes no further.
    rejected: bool,
}

impl RowReader<'_, '_> {
    fn report(&mut self, column: &str, reason: String) {
        self.problems.push(problem(self.cols.table, self.line, column, reason));
    }

    fn optional(&self, col: &str) -> Option<String> {
        self.cols.cell(self.cells, col).map(str::to_string)
    }

    fn required(&mut self, col: &str) -> Option<String> {
        let v = self.optional(col);
        if v.is_none() {
            self.report(col, "a value is required".into());
        }
        v
    }

    fn parsed<T>(
        &mut self,
        col: &str,
        raw: Option<String>,
        parse: impl FnOnce(&str) -> Result<T, String>,
    ) -> Option<T> {
        let raw = raw?;
        match parse(&raw) {
            Ok(v) => Some(v),
            Err(reason) => {
                self.report(col, reason);
                None
            }
        }
    }

    /// A cell held to one of the contract's write rules (`domain::rules`); a broken rule is
    /// reported and rejects the row.
    fn checked(&mut self, col: &str, raw: Option<String>, rule: impl Fn(&str) -> Result<(), String>) -> Option<String> {
        if let Some(v) = &raw {
            if let Err(reason) = rule(v) {
                self.report(col, reason);
                self.rejected = true;
            }
        }
        raw
    }

    fn code(&mut self, col: &str, required: bool) -> Option<String> {
        let raw = if required { self.required(col) } else { self.optional(col) };
        self.checked(col, raw, rules::check_code)
    }

    fn text(&mut self, col: &str, required: bool, max: usize) -> Option<String> {
        let raw = if required { self.required(col) } else { self.optional(col) };
        self.checked(col, raw, |v| rules::check_text(v, max))
    }

    /// Ok(None) for an empty optional cell, Err(()) when it held a bad date.
    fn date(&mut self, col: &str, required: bool) -> Result<Option<NaiveDate>, ()> {
        let raw = if required { self.required(col) } else { self.optional(col) };
        match raw {
            None if required => Err(()),
            None => Ok(None),
            Some(r) => self.parsed(col, Some(r), parse_date).map(Some).ok_or(()),
        }
    }
}

fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let well_formed = s.len() == 10 && s.as_bytes()[4] == b'-' && s.as_bytes()[7] == b'-';
    match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        Ok(d) if well_formed => Ok(d),
        _ => Err(format!("`{s}` is not a date of the form YYYY-MM-DD")),
    }
}

fn for_each_row<'t>(
    table: &'t Table,
    allowed: &[&'static str],
    required: &[&'static str],
    problems: &mut Vec<Problem>,
    mut f: impl FnMut(&mut RowReader<'_, 't>),
) {
    let Some(cols) = Columns::check(table, allowed, required, problems) else { return };
    for (line, cells) in &table.rows {
        let mut r = RowReader { cols: &cols, line: *line, cells, problems, rejected: false };
        f(&mut r);
    }
}

// ---------------------------------------------------------------------------------------
// The four tables as typed rows

#[derive(Clone, Debug, PartialEq)]
struct UnitRow {
    line: u64,
    code: String,
    name: String,
    level: UnitLevel,
    parent_code: Option<String>,
    kind: Option<String>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
    successor_code: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
struct ModelRow {
    line: u64,
    code: String,
    name: String,
    category: Option<String>,
    description: Option<String>,
    launched_on: Option<NaiveDate>,
}

#[derive(Clone, Debug, PartialEq)]
struct AdoptionRow {
    line: u64,
    unit_code: String,
    model_code: String,
    started_on: NaiveDate,
    ended_on: Option<NaiveDate>,
    stage: AdoptionStage,
    steered_by: Option<SteeredBy>,
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

fn parse_units(t: &Table, problems: &mut Vec<Problem>) -> Vec<UnitRow> {
    let mut out = Vec::new();
    for_each_row(t, &UNIT_COLUMNS, &["code", "name", "level"], problems, |r| {
        let code = r.code("code", true);
        let name = r.text("name", true, rules::TEXT_MAX);
        let raw_level = r.required("level");
        let level = r.parsed("level", raw_level, |s| s.parse::<UnitLevel>());
        let parent_code = r.code("parent_code", false);
        let kind = r.text("kind", false, rules::TEXT_MAX);
        let successor_code = r.code("successor_code", false);
        if level.is_some_and(|l| l != UnitLevel::Province) && parent_code.is_none() {
            r.report("parent_code", "a value is required unless level is province".into());
        }
        let valid_from = r.date("valid_from", false);
        let valid_to = r.date("valid_to", false);
        if let (Ok(Some(f)), Ok(Some(t))) = (valid_from, valid_to) {
            if f > t {
                r.report("valid_to", format!("{t} is before valid_from {f}"));
            }
        }
        if let (Some(code), Some(name), Some(level), Ok(valid_from), Ok(valid_to), false) =
            (code, name, level, valid_from, valid_to, r.rejected)
        {
            out.push(UnitRow { line: r.line, code, name, level, parent_code, kind, valid_from, valid_to, successor_code });
        }
    });
    out
}

fn parse_models(t: &Table, problems: &mut Vec<Problem>) -> Vec<ModelRow> {
    let mut out = Vec::new();
    for_each_row(t, &MODEL_COLUMNS, &["code", "name"], problems, |r| {
        let code = r.code("code", true);
        let name = r.text("name", true, rules::TEXT_MAX);
        let category = r.text("category", false, rules::TEXT_MAX);
        let description = r.text("description", false, rules::DESCRIPTION_MAX);
        let launched_on = r.date("launched_on", false);
        if let (Some(code), Some(name), Ok(launched_on), false) = (code, name, launched_on, r.rejected) {
            out.push(ModelRow { line: r.line, code, name, category, description, launched_on });
        }
    });
    out
}

fn parse_adoptions(t: &Table, problems: &mut Vec<Problem>) -> Vec<AdoptionRow> {
    let mut out = Vec::new();
    for_each_row(t, &ADOPTION_COLUMNS, &["unit_code", "model_code", "started_on"], problems, |r| {
        let unit_code = r.code("unit_code", true);
        let model_code = r.code("model_code", true);
        let started_on = r.date("started_on", true);
        let ended_on = r.date("ended_on", false);
        if let (Ok(Some(s)), Ok(Some(e))) = (started_on, ended_on) {
            if e < s {
                r.report("ended_on", format!("{e} is before started_on {s}"));
            }
        }
        let raw_stage = r.optional("stage");
        let stage = match raw_stage {
            None => Some(AdoptionStage::Pilot),
            raw => r.parsed("stage", raw, |s| s.parse::<AdoptionStage>()),
        };
        let raw_steer = r.optional("steered_by");
        let steered_by = match raw_steer {
            None => Some(None),
            raw => r.parsed("steered_by", raw, |s| s.parse::<SteeredBy>()).map(Some),
        };
        if let (Some(unit_code), Some(model_code), Ok(Some(started_on)), Ok(ended_on), Some(stage), Some(steered_by), false) =
            (unit_code, model_code, started_on, ended_on, stage, steered_by, r.rejected)
        {
            out.push(AdoptionRow { line: r.line, unit_code, model_code, started_on, ended_on, stage, steered_by });
        }
    });
    out
}

/// Survey rows as drafts for the write path, which checks them like any other entry.
fn survey_drafts(t: &Table, problems: &mut Vec<Problem>) -> Vec<surveys::SurveyWrite> {
    let mut out = Vec::new();
    for_each_row(t, &SURVEY_COLUMNS, &["unit_code", "period", "respondents", "satisfied"], problems, |r| {
        let cell = |c: &str| r.optional(c).unwrap_or_default();
        let draft = SurveyDraft {
            unit_code: cell("unit_code"),
            model_code: cell("model_code"),
            period: cell("period"),
            respondents: cell("respondents"),
            satisfied: cell("satisfied"),
            levels: LEVEL_FIELDS.map(|f| cell(f.column())),
        };
        out.push(surveys::SurveyWrite { line: r.line, draft, version: None });
    });
    out
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
    set: &ImportSet,
    opts: ImportOptions,
    actor: &str,
    progress: Progress<'_>,
) -> Result<ImportReport, ImportError> {
    let mut problems = set.problems.clone();
    let units = set.units.as_ref().map(|t| (t, parse_units(t, &mut problems)));
    let models = set.models.as_ref().map(|t| (t, parse_models(t, &mut problems)));
    let adoptions = set.adoptions.as_ref().map(|t| (t, parse_adoptions(t, &mut problems)));
    let surveys = set.surveys.as_ref().map(|t| (t, survey_drafts(t, &mut problems)));

    if let Some((t, rows)) = &units {
        check_unique(t, "code", rows.iter().map(|r| (r.line, r.code.clone(), r.code.clone())), &mut problems);
    }
    if let Some((t, rows)) = &models {
        check_unique(t, "code", rows.iter().map(|r| (r.line, r.code.clone(), r.code.clone())), &mut problems);
    }
    if let Some((t, rows)) = &adoptions {
        let key = |r: &AdoptionRow| (r.unit_code.clone(), r.model_code.clone(), r.started_on);
        check_unique(
            t,
            "started_on",
            rows.iter().map(|r| (r.line, key(r), format!("({}, {}, {})", r.unit_code, r.model_code, r.started_on))),
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
    let file_units: HashMap<&str, &UnitRow> =
        units.iter().flat_map(|(_, rows)| rows.iter().map(|r| (r.code.as_str(), r))).collect();
    let model_codes: HashSet<&str> = db_models
        .keys()
        .map(String::as_str)
        .chain(models.iter().flat_map(|(_, rows)| rows.iter().map(|r| r.code.as_str())))
        .collect();
    // (level, validity) of every unit the run can see; the file's version wins.
    let unit_info = |code: &str| -> Option<(UnitLevel, DateSpan)> {
        if let Some(r) = file_units.get(code) {
            return Some((r.level, DateSpan::new(r.valid_from, r.valid_to)));
        }
        db_units.get(code).and_then(|u| Some((u.level.parse().ok()?, DateSpan::new(u.valid_from, u.valid_to))))
    };

    if let Some((t, rows)) = &units {
        for r in rows {
            if let Some(parent) = &r.parent_code {
                match unit_info(parent) {
                    None => problems.push(problem(t, r.line, "parent_code", format!("unknown unit `{parent}`"))),
                    Some(_) if parent == &r.code => {
                        problems.push(problem(t, r.line, "parent_code", "a unit cannot be its own parent".into()))
                    }
                    Some((level, _)) => {
                        let fits = match r.level {
                            UnitLevel::Province => false,
                            UnitLevel::District => level == UnitLevel::Province,
                            UnitLevel::Commune => level != UnitLevel::Commune,
                        };
                        if !fits {
                            problems.push(problem(
                                t,
                                r.line,
                                "parent_code",
                                format!("a {} cannot sit under a {level} (`{parent}`)", r.level),
                            ));
                        }
                    }
                }
            }
            if let Some(s) = &r.successor_code {
                if unit_info(s).is_none() {
                    problems.push(problem(t, r.line, "successor_code", format!("unknown unit `{s}`")));
                }
            }
        }
    }
    if let Some((t, rows)) = &adoptions {
        for r in rows {
            match unit_info(&r.unit_code) {
                None => problems.push(problem(t, r.line, "unit_code", format!("unknown unit `{}`", r.unit_code))),
                Some((UnitLevel::Province, _)) => problems.push(problem(
                    t,
                    r.line,
                    "unit_code",
                    format!("`{}` is a province; adoptions are by a commune or a district", r.unit_code),
                )),
                Some(_) => {}
            }
            if !model_codes.contains(r.model_code.as_str()) {
                problems.push(problem(t, r.line, "model_code", format!("unknown model `{}`", r.model_code)));
            }
        }
    }
    // Keys that already exist with other values are refused unless told to update.
    let existing_adoptions = match &adoptions {
        Some((_, rows)) if !rows.is_empty() => existing_adoptions(&txn, rows).await?,
        _ => HashMap::new(),
    };
    if !opts.update {
        let changed = |t: &Table, line: u64, column: &str, key: String| {
            problem(
                t,
                line,
                column,
                format!("{key} already exists with other values (import with --update to replace them)"),
            )
        };
        if let Some((t, rows)) = &units {
            for r in rows.iter().filter(|r| db_units.get(&r.code).is_some_and(|old| !unit_same(old, r))) {
                problems.push(changed(t, r.line, "code", format!("unit `{}`", r.code)));
            }
        }
        if let Some((t, rows)) = &models {
            for r in rows.iter().filter(|r| db_models.get(&r.code).is_some_and(|old| !model_same(old, r))) {
                problems.push(changed(t, r.line, "code", format!("model `{}`", r.code)));
            }
        }
        if let Some((t, rows)) = &adoptions {
            for r in rows {
                if existing_adoptions.get(&adoption_key(r)).is_some_and(|old| !adoption_same(old, r)) {
                    problems.push(changed(
                        t,
                        r.line,
                        "started_on",
                        format!("adoption ({}, {}, {})", r.unit_code, r.model_code, r.started_on),
                    ));
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
            report.tables.push(("models", model_write(&db_models).run(&txn, rows, &audit, progress).await?));
        }
        if let Some((_, rows)) = &units {
            report.tables.push(("units", write_units(&txn, rows, &db_units, &audit, progress).await?));
        }
        if let Some((_, rows)) = &adoptions {
            report.tables.push(("adoptions", adoption_write(&existing_adoptions).run(&txn, rows, &audit, progress).await?));
        }
    }
    // Survey counts are checked even when other files have problems, so that one run
    // reports everything; the file's units and models count as known.
    if let Some((t, rows)) = surveys {
        let pending = surveys::Pending {
            units: file_units
                .values()
                .map(|u| (u.code.clone(), (DateSpan::new(u.valid_from, u.valid_to), u.parent_code.clone())))
                .collect(),
            models: models.iter().flat_map(|(_, rows)| rows.iter().map(|r| r.code.clone())).collect(),
        };
        let writer = Writer::Command(actor.to_string());
        let batch = surveys::Batch {
            writer: &writer,
            rows,
            replace: opts.update,
            today: None,
            warn: false,
            confirmed: true,
            audit: Audit::new(actor.to_string(), action, None),
        };
        match surveys::save(&txn, &batch, &pending, progress).await {
            Ok(saved) => report.tables.push(("surveys", saved.written)),
            Err(surveys::SurveyWriteError::Invalid(found)) => problems.extend(found.into_iter().map(|p| Problem {
                file: t.file.clone(),
                line: p.line,
                column: p.field.column().to_string(),
                reason: p.broken.to_string(),
            })),
            Err(surveys::SurveyWriteError::Db(e)) => return Err(ImportError::Db(e)),
            Err(other) => return Err(ImportError::Refused(other.to_string())),
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

type AdoptionKey = (String, String, NaiveDate);

fn adoption_key(r: &AdoptionRow) -> AdoptionKey {
    (r.unit_code.clone(), r.model_code.clone(), r.started_on)
}

/// Rows are looked up by unit in chunks, so a run never loads the whole survey table, and
/// streamed, so that only the decoded rows stay in memory.
async fn existing_adoptions(
    txn: &DatabaseTransaction,
    rows: &[AdoptionRow],
) -> Result<HashMap<AdoptionKey, adoption::Model>, DbErr> {
    let codes: Vec<String> = rows.iter().map(|r| r.unit_code.clone()).collect::<HashSet<_>>().into_iter().collect();
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        let mut found =
            adoption::Entity::find().filter(adoption::Column::UnitCode.is_in(chunk.to_vec())).stream(txn).await?;
        while let Some(a) = found.try_next().await? {
            out.insert((a.unit_code.clone(), a.model_code.clone(), a.started_on), a);
        }
    }
    Ok(out)
}

fn unit_same(old: &unit::Model, r: &UnitRow) -> bool {
    old.name == r.name
        && old.level == r.level.as_str()
        && old.parent_code == r.parent_code
        && old.kind == r.kind
        && old.valid_from == r.valid_from
        && old.valid_to == r.valid_to
        && old.successor_code == r.successor_code
}

fn model_same(old: &reform_model::Model, r: &ModelRow) -> bool {
    old.name == r.name
        && old.category == r.category
        && old.description == r.description
        && old.launched_on == r.launched_on
}

fn adoption_same(old: &adoption::Model, r: &AdoptionRow) -> bool {
    old.ended_on == r.ended_on
        && old.stage == r.stage.as_str()
        && old.steered_by.as_deref() == r.steered_by.map(|s| s.as_str())
}

// ---------------------------------------------------------------------------------------
// Writes

/// Units in level order, so that a parent is always written before its child. Successors
/// may point anywhere in the file, so they are set once every unit exists.
async fn write_units(
    txn: &DatabaseTransaction,
    rows: &[UnitRow],
    existing: &HashMap<String, unit::Model>,
    audit: &Audit,
    progress: Progress<'_>,
) -> Result<Written, DbErr> {
    let mut ordered = rows.to_vec();
    ordered.sort_by_key(|r| match r.level {
        UnitLevel::Province => 0,
        UnitLevel::District => 1,
        UnitLevel::Commune => 2,
    });
    let write = TableWrite {
        table: "units",
        entity: "units",
        existing,
        key: |r: &UnitRow| r.code.clone(),
        same: unit_same,
        audit_key: |r| r.code.clone(),
        values: |r, old| unit::ActiveModel {
            code: Set(r.code.clone()),
            name: Set(r.name.clone()),
            level: Set(r.level.as_str().into()),
            parent_code: Set(r.parent_code.clone()),
            kind: Set(r.kind.clone()),
            valid_from: Set(r.valid_from),
            valid_to: Set(r.valid_to),
            successor_code: Set(old.and_then(|o| o.successor_code.clone())),
        },
    };
    let rep = write.run(txn, &ordered, audit, progress).await?;
    for r in rows {
        // What the row holds now: nothing for a new unit, the old successor otherwise.
        let now = existing.get(&r.code).and_then(|old| old.successor_code.clone());
        if now != r.successor_code {
            unit::Entity::update_many()
                .col_expr(unit::Column::SuccessorCode, sea_orm::sea_query::Expr::value(r.successor_code.clone()))
                .filter(unit::Column::Code.eq(r.code.clone()))
                .exec(txn)
                .await?;
        }
    }
    Ok(rep)
}

/// How one table is written: rows new to the database are inserted in chunks, rows whose
/// key exists with other values are updated one by one with their old values kept in the
/// audit log, identical rows are left alone.
struct TableWrite<'a, R, K, M, A> {
    table: &'static str,
    entity: &'static str,
    existing: &'a HashMap<K, M>,
    key: fn(&R) -> K,
    same: fn(&M, &R) -> bool,
    /// The audit log's key, e.g. `C11/FG/2024-01`.
    audit_key: fn(&R) -> String,
    /// The values to write; with the old row when it is an update.
    values: fn(&R, Option<&M>) -> A,
}

impl<R, K, M, A> TableWrite<'_, R, K, M, A>
where
    K: std::hash::Hash + Eq,
    M: serde::Serialize + sea_orm::IntoActiveModel<A>,
    A: sea_orm::ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    A::Entity: EntityTrait<Model = M>,
{
    async fn run(
        &self,
        txn: &DatabaseTransaction,
        rows: &[R],
        audit: &Audit,
        progress: Progress<'_>,
    ) -> Result<Written, DbErr> {
        let mut rep = Written::default();
        let mut fresh = Vec::new();
        let mut changed = Vec::new();
        for r in rows {
            match self.existing.get(&(self.key)(r)) {
                None => fresh.push((self.values)(r, None)),
                Some(old) if (self.same)(old, r) => rep.unchanged += 1,
                Some(old) => changed.push((old, r)),
            }
        }
        // New rows first (in the given order), so that a changed row may point at one.
        rep.inserted = insert_chunked(txn, fresh, self.table, progress, |chunk| A::Entity::insert_many(chunk)).await?;
        for (old, r) in changed {
            let new = A::Entity::update((self.values)(r, Some(old))).exec(txn).await?;
            audit.record(txn, self.entity, (self.audit_key)(r), Some(old), Some(&new), &[]).await?;
            rep.updated += 1;
        }
        Ok(rep)
    }
}

fn model_write(
    existing: &HashMap<String, reform_model::Model>,
) -> TableWrite<'_, ModelRow, String, reform_model::Model, reform_model::ActiveModel> {
    TableWrite {
        table: "models",
        entity: "reform_models",
        existing,
        key: |r| r.code.clone(),
        same: model_same,
        audit_key: |r| r.code.clone(),
        values: |r, _| reform_model::ActiveModel {
            code: Set(r.code.clone()),
            name: Set(r.name.clone()),
            category: Set(r.category.clone()),
            description: Set(r.description.clone()),
            launched_on: Set(r.launched_on),
        },
    }
}

fn adoption_write(
    existing: &HashMap<AdoptionKey, adoption::Model>,
) -> TableWrite<'_, AdoptionRow, AdoptionKey, adoption::Model, adoption::ActiveModel> {
    TableWrite {
        table: "adoptions",
        entity: "adoptions",
        existing,
        key: adoption_key,
        same: adoption_same,
        audit_key: |r| format!("{}/{}/{}", r.unit_code, r.model_code, r.started_on),
        values: |r, old| adoption::ActiveModel {
            id: old.map_or(sea_orm::ActiveValue::NotSet, |o| Set(o.id)),
            unit_code: Set(r.unit_code.clone()),
            model_code: Set(r.model_code.clone()),
            started_on: Set(r.started_on),
            ended_on: Set(r.ended_on),
            stage: Set(r.stage.as_str().into()),
            steered_by: Set(r.steered_by.map(|s| s.as_str().into())),
        },
    }
}
