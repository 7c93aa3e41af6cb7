//! Survey counts: every write of one (an import's rows, an entry, the API, an official's
//! correction or deletion) comes through [`save`] or [`delete`], inside a transaction from
//! [`super::begin`], so the rules, the authorization, the version check and the audit
//! entry are the same whoever writes.
use super::{insert_chunked, Audit, Progress, Written};
use crate::domain::access::{UnitPlace, Writer};
use crate::domain::survey::{self, Broken, FieldProblem, Stored, Survey, SurveyDraft, SurveyFacts, SurveyField, Warning};
use crate::domain::{DateSpan, Period};
use crate::ssr::entities::{adoption, audit_log, reform_model, survey_count, unit};
use chrono::NaiveDate;
use futures_util::TryStreamExt;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, DbErr, EntityTrait, QueryFilter, QuerySelect, Statement,
    TryIntoModel,
};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One row to write.
#[derive(Clone, Debug, Default)]
pub struct SurveyWrite {
    /// How the writer names the row in messages: the file's line, the API's row number.
    pub line: u64,
    pub draft: SurveyDraft,
    /// The version an edit was made from; `None` for a new entry.
    pub version: Option<i32>,
}

/// How a batch is written.
pub struct Batch<'a> {
    pub writer: &'a Writer,
    pub rows: &'a [SurveyWrite],
    /// `import --update`: a stored key with other values is replaced without naming a
    /// version (the old values go to the audit log).
    pub replace: bool,
    /// Refuse periods that have not begun on this day (entry, API); `None` for imports of history.
    pub today: Option<NaiveDate>,
    pub advice: Advice,
    /// The writer saw the warnings and keeps the values (given with `reason`).
    pub confirmed: bool,
    pub audit: &'a Audit,
}

/// Whether a batch's rows are compared with their history for warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Advice {
    /// No warnings (an import of history).
    Skip,
    /// Each row is compared with its unit's history and adoptions ([`survey::unusual`]).
    Check,
}

/// What a batch is checked against beside the database: units and models that it may
/// refer to although they are not stored yet (an import writes them in the same run):
/// code → (validity, parent); and the keys met so far in the run.
#[derive(Default)]
pub struct Pending {
    pub units: HashMap<String, (DateSpan, Option<String>)>,
    pub models: HashSet<String>,
    pub seen: Seen,
}

/// The keys a run has met, each with the line it first came on: the batch's own rows and,
/// in an import written a chunk at a time, every row of the earlier chunks. Codes and
/// periods are numbered, so a key takes 16 bytes: a national file's millions fit in tens
/// of megabytes where three strings each would take half a gigabyte.
#[derive(Default)]
pub struct Seen {
    names: HashMap<String, u32>,
    lines: HashMap<(u32, u32, u32), u32>,
}

impl Seen {
    fn number(&mut self, name: &str) -> u32 {
        let next = self.names.len() as u32 + 1;
        *self.names.entry(name.to_string()).or_insert(next)
    }

    fn packed(&self, (unit, model, period): (&str, Option<&str>, &str)) -> Option<(u32, u32, u32)> {
        let n = |s: &str| self.names.get(s).copied();
        Some((n(unit)?, model.map_or(Some(0), n)?, n(period)?))
    }

    /// The line the key first came on.
    fn line(&self, key: (&str, Option<&str>, &str)) -> Option<u64> {
        self.packed(key).and_then(|k| self.lines.get(&k)).map(|l| u64::from(*l))
    }

    /// Notes the key at `line`, or returns the line it first came on.
    fn meet(&mut self, (unit, model, period): (&str, Option<&str>, &str), line: u64) -> Result<(), u64> {
        let k = (self.number(unit), model.map_or(0, |m| self.number(m)), self.number(period));
        match self.lines.entry(k) {
            std::collections::hash_map::Entry::Occupied(first) => Err(u64::from(*first.get())),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(u32::try_from(line).unwrap_or(u32::MAX));
                Ok(())
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowProblem {
    pub line: u64,
    pub field: SurveyField,
    pub broken: Broken,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RowWarning {
    pub line: u64,
    pub warning: Warning,
}


#[derive(Debug, thiserror::Error)]
pub enum SurveyWriteError {
    #[error("{} problem(s); nothing was written", .0.len())]
    Invalid(Vec<RowProblem>),
    #[error("row {line}: not allowed to write for unit `{unit}`")]
    Forbidden { line: u64, unit: String },
    #[error("row {line}: someone saved version {} in the meantime", .stored.version)]
    Conflict { line: u64, stored: Stored },
    #[error("{} warning(s) to confirm", .0.len())]
    Warned(Vec<RowWarning>),
    #[error("a correction of someone else's figures needs a reason")]
    ReasonRequired,
    #[error("no survey count {0}")]
    NotFound(String),
    #[error("database error: {0}")]
    Db(#[from] DbErr),
}

impl SurveyWriteError {
    /// The answer's status, the same whether the form or the API refused the write.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            SurveyWriteError::Invalid(_) | SurveyWriteError::Warned(_) | SurveyWriteError::ReasonRequired => {
                StatusCode::UNPROCESSABLE_ENTITY
            }
            SurveyWriteError::Forbidden { .. } => StatusCode::FORBIDDEN,
            // A version edited from is no longer stored: changed, or deleted, meanwhile.
            SurveyWriteError::Conflict { .. } | SurveyWriteError::NotFound(_) => StatusCode::CONFLICT,
            SurveyWriteError::Db(e) if crate::ssr::db::overloaded(e) => StatusCode::SERVICE_UNAVAILABLE,
            SurveyWriteError::Db(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A write outside the writer's units is worth a line in the log: a mistake, or someone trying.
    pub fn log_refusal(&self, user: &str) {
        if let SurveyWriteError::Forbidden { unit, .. } = self {
            tracing::warn!(%user, %unit, "survey write refused: not the user's unit");
        }
    }
}

/// What a batch wrote, and the warnings kept with it.
#[derive(Debug, Default)]
pub struct Saved {
    pub written: Written,
    pub warnings: Vec<RowWarning>,
}

/// Validates the whole batch against the database as it is inside `txn` (and `pending`),
/// then writes it; any problem and nothing is written. Problems come sorted by line.
pub async fn save(
    txn: &DatabaseTransaction,
    batch: &Batch<'_>,
    pending: &mut Pending,
    progress: Progress<'_>,
) -> Result<Saved, SurveyWriteError> {
    let checked = check(txn, batch, pending).await?;
    let mut fresh = Vec::new();
    let written = write(txn, batch, &checked.changes, &checked.warnings_of, &mut fresh, progress).await?;
    insert_fresh(txn, fresh).await?;
    Ok(Saved { written, warnings: listed(&checked.warnings_of) })
}

/// A row to write with the stored one it replaces.
type Change = (u64, Survey, Option<survey_count::Model>);

/// A batch that passed every rule: its changes, and its warnings by line.
struct Checked {
    changes: Vec<Change>,
    warnings_of: HashMap<u64, Vec<Warning>>,
}

/// A batch's rows as surveys, and the problems of those that are not.
struct Parsed {
    rows: Vec<(u64, Option<i32>, Survey)>,
    problems: Vec<RowProblem>,
}

impl Parsed {
    /// The rows parsed, after the one rule of the batch as a whole: a correction of someone
    /// else's figures needs a reason.
    fn of(batch: &Batch<'_>) -> Result<Parsed, SurveyWriteError> {
        if batch.writer.corrects() && batch.audit.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
            return Err(SurveyWriteError::ReasonRequired);
        }
        let mut parsed = Parsed { rows: Vec::with_capacity(batch.rows.len()), problems: Vec::new() };
        for row in batch.rows {
            match survey::parse(&row.draft) {
                Ok(s) => parsed.rows.push((row.line, row.version, s)),
                Err(ps) => {
                    parsed.problems.extend(ps.into_iter().map(|(field, broken)| RowProblem { line: row.line, field, broken }))
                }
            }
        }
        Ok(parsed)
    }

    fn surveys(&self) -> impl Iterator<Item = &Survey> {
        self.rows.iter().map(|(_, _, s)| s)
    }
}

/// What the rules read from the database, once for a batch or for a group of entries:
/// the units and models the rows name, and the stored counts of their (unit, model)s.
struct Facts {
    units: HashMap<String, (DateSpan, Option<String>)>,
    models: HashSet<String>,
    stored: StoredCounts,
}

/// Stored survey counts by (unit, model), then period: a row's rules and warnings look at
/// the counts of its own (unit, model) only, however many others a group read.
#[derive(Default)]
struct StoredCounts(HashMap<(String, Option<String>), HashMap<String, survey_count::Model>>);

impl StoredCounts {
    fn insert(&mut self, m: survey_count::Model) {
        self.0.entry((m.unit_code.clone(), m.model_code.clone())).or_default().insert(m.period.clone(), m);
    }

    fn of(&self, unit: &str, model: Option<&str>) -> impl Iterator<Item = &survey_count::Model> {
        self.0.get(&(unit.to_string(), model.map(str::to_string))).into_iter().flat_map(HashMap::values)
    }

    fn get(&self, s: &Survey) -> Option<&survey_count::Model> {
        self.0.get(&(s.unit_code.clone(), s.model_code.clone())).and_then(|by_period| by_period.get(&s.period.to_string()))
    }
}

impl Facts {
    /// With `whole_history`, every stored count of the rows' (unit, model)s (for the
    /// warnings); otherwise only those their periods could overlap, so that a chunk of an
    /// import, or an entry rechecked in the writer, keeps its neighbours, not whole histories.
    async fn read(txn: &DatabaseTransaction, surveys: &[&Survey], whole_history: bool) -> Result<Facts, DbErr> {
        let codes = unit_codes(surveys);
        let named: Vec<Option<String>> =
            surveys.iter().map(|s| s.model_code.clone()).collect::<HashSet<_>>().into_iter().collect();
        let pairs: Vec<(String, Option<String>)> = surveys
            .iter()
            .map(|s| (s.unit_code.clone(), s.model_code.clone()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let span = if whole_history {
            None
        } else {
            let first = surveys.iter().map(|s| s.period.first_day()).min();
            first.zip(surveys.iter().map(|s| s.period.last_day()).max())
        };
        Ok(Facts {
            units: units_of(txn, &codes).await?,
            models: models_of(txn, &named).await?,
            stored: stored_of(txn, &pairs, span).await?,
        })
    }
}

/// The distinct units the rows name.
fn unit_codes(surveys: &[&Survey]) -> Vec<String> {
    surveys.iter().map(|s| s.unit_code.clone()).collect::<HashSet<_>>().into_iter().collect()
}

/// Every rule of a write, read against `txn`; writes nothing.
async fn check(txn: &DatabaseTransaction, batch: &Batch<'_>, pending: &mut Pending) -> Result<Checked, SurveyWriteError> {
    let parsed = Parsed::of(batch)?;
    let surveys: Vec<&Survey> = parsed.surveys().collect();
    let facts = Facts::read(txn, &surveys, batch.advice == Advice::Check).await?;
    let codes = unit_codes(&surveys);
    let changes = judge(batch, parsed, &facts, pending)?;
    let warnings_of = match batch.advice {
        Advice::Skip => HashMap::new(),
        Advice::Check => advise(&adoptions_of(txn, &codes).await?, &facts.stored, &changes),
    };
    if !warnings_of.is_empty() && !batch.confirmed {
        return Err(SurveyWriteError::Warned(listed(&warnings_of)));
    }
    Ok(Checked { changes, warnings_of })
}

/// The warnings in line order.
fn listed(warnings_of: &HashMap<u64, Vec<Warning>>) -> Vec<RowWarning> {
    let mut warnings: Vec<RowWarning> = warnings_of
        .iter()
        .flat_map(|(line, ws)| ws.iter().map(|w| RowWarning { line: *line, warning: w.clone() }))
        .collect();
    warnings.sort_by_key(|w| w.line);
    warnings
}

/// The rules of a batch against what was read (and `pending`): its changes, or why not.
fn judge(batch: &Batch<'_>, parsed: Parsed, facts: &Facts, pending: &mut Pending) -> Result<Vec<Change>, SurveyWriteError> {
    let Parsed { rows: parsed, mut problems } = parsed;
    let Facts { units, models, stored } = facts;
    let place = |code: &str| -> Option<(DateSpan, Option<String>)> {
        pending.units.get(code).cloned().or_else(|| units.get(code).cloned())
    };

    // Authorization first: a refusal says nothing about the figures of a unit not theirs.
    for (line, _, s) in &parsed {
        let parent = place(&s.unit_code).and_then(|(_, p)| p);
        if !batch.writer.may_write_survey(UnitPlace { code: &s.unit_code, parent_code: parent.as_deref() }) {
            return Err(SurveyWriteError::Forbidden { line: *line, unit: s.unit_code.clone() });
        }
    }
    // The rows that did not parse, by a set of the lines that did: a scan of the parsed rows
    // for each row made a chunk of an import quadratic (half of the national import's time).
    let parsed_lines: HashSet<u64> = parsed.iter().map(|(line, _, _)| *line).collect();
    for row in batch.rows.iter().filter(|row| !parsed_lines.contains(&row.line)) {
        let unit = row.draft.unit_code.trim();
        let parent = place(unit).and_then(|(_, p)| p);
        if !unit.is_empty() && !batch.writer.may_write_survey(UnitPlace { code: unit, parent_code: parent.as_deref() }) {
            return Err(SurveyWriteError::Forbidden { line: row.line, unit: unit.to_string() });
        }
    }

    // Periods per (unit, model): the stored ones, then the batch's own, each with its line
    // (a stored one written by an earlier chunk of the run has the line it came on).
    let mut periods: HashMap<(String, Option<String>), Vec<(Period, Option<u64>)>> = HashMap::new();
    let named: HashSet<(&str, Option<&str>)> = parsed.iter().map(|(_, _, s)| (s.unit_code.as_str(), s.model_code.as_deref())).collect();
    for s in named.iter().flat_map(|(unit, model)| stored.of(unit, *model)) {
        if let Ok(p) = Period::parse_survey(&s.period) {
            let line = pending.seen.line((&s.unit_code, s.model_code.as_deref(), &s.period));
            periods.entry((s.unit_code.clone(), s.model_code.clone())).or_default().push((p, line));
        }
    }
    let mut duplicates = HashSet::new();
    for (line, _, s) in &parsed {
        let period = s.period.to_string();
        if let Err(first) = pending.seen.meet((&s.unit_code, s.model_code.as_deref(), &period), *line) {
            problems.push(RowProblem {
                line: *line,
                field: SurveyField::Period,
                broken: Broken::Duplicate { key: display_key(s), line: first },
            });
            duplicates.insert(*line);
            continue;
        }
        periods.entry((s.unit_code.clone(), s.model_code.clone())).or_default().push((s.period, Some(*line)));
    }

    let mut changes: Vec<(u64, Survey, Option<survey_count::Model>)> = Vec::new();
    for (line, version, s) in parsed.into_iter().filter(|(line, _, _)| !duplicates.contains(line)) {
        let facts = SurveyFacts {
            unit_validity: place(&s.unit_code).map(|(v, _)| v),
            model_known: s.model_code.as_ref().is_none_or(|m| models.contains(m) || pending.models.contains(m)),
            other_periods: periods[&(s.unit_code.clone(), s.model_code.clone())]
                .iter()
                .filter(|(_, l)| *l != Some(line))
                .copied()
                .collect(),
        };
        let mut found: Vec<FieldProblem> = survey::check_facts(&s, &facts, batch.today);
        let old = stored.get(&s);
        match (old, version) {
            (Some(old), Some(v)) if old.version != v => {
                return Err(SurveyWriteError::Conflict { line, stored: stored_values(old) });
            }
            // Edited from a version that someone has since deleted.
            (None, Some(_)) => return Err(SurveyWriteError::NotFound(display_key(&s))),
            (Some(old), None) if !batch.replace && !same(old, &s) => {
                found.push((SurveyField::Period, Broken::Exists { key: display_key(&s), version: old.version }))
            }
            _ => {}
        }
        problems.extend(found.into_iter().map(|(field, broken)| RowProblem { line, field, broken }));
        changes.push((line, s, old.cloned()));
    }
    if !problems.is_empty() {
        problems.sort_by_key(|p| p.line);
        return Err(SurveyWriteError::Invalid(problems));
    }

    Ok(changes)
}

/// Each row's warnings, by line, from its units' adoptions (`runs`) and the stored counts
/// of its (unit, model).
fn advise(
    runs: &HashMap<String, Vec<(String, NaiveDate, Option<NaiveDate>)>>,
    stored: &StoredCounts,
    changes: &[Change],
) -> HashMap<u64, Vec<Warning>> {
    let mut out = HashMap::new();
    for (line, s, _) in changes {
        let earlier: Vec<&survey_count::Model> = stored.of(&s.unit_code, s.model_code.as_deref()).collect();
        let w = warnings(s, &earlier, runs);
        if !w.is_empty() {
            out.insert(*line, w);
        }
    }
    out
}

/// An entry as the form or the API makes it: today's rules, warnings given, in the next
/// group commit ([`super::group`], [`Entry`]). The outer `Err` is the group's failure, the
/// inner one this entry's refusal.
pub async fn save_entry(
    group: &super::group::GroupCommit<Entry>,
    db: &crate::ssr::Db,
    writer: Writer,
    rows: Vec<SurveyWrite>,
    confirmed: bool,
    audit: Audit,
) -> Result<Saved, SurveyWriteError> {
    group.write(db, Entry { writer, rows, today: super::today(), confirmed, audit }).await?
}

/// An entry waiting for its group.
pub struct Entry {
    writer: Writer,
    rows: Vec<SurveyWrite>,
    today: NaiveDate,
    confirmed: bool,
    audit: Audit,
}

impl Entry {
    fn batch(&self) -> Batch<'_> {
        Batch {
            writer: &self.writer,
            rows: &self.rows,
            replace: false,
            today: Some(self.today),
            advice: Advice::Check,
            confirmed: self.confirmed,
            audit: &self.audit,
        }
    }
}

impl super::group::GroupWrite for Entry {
    type Out = Result<Saved, SurveyWriteError>;

    fn changed(out: &Self::Out) -> bool {
        out.as_ref().is_ok_and(|saved| {
            let w = saved.written;
            w.inserted + w.updated + w.deleted > 0
        })
    }

    /// The writer is one for the whole server, and each statement costs it a round trip to
    /// the database's thread, so the group's entries are checked against one read for all of
    /// them (units, models, the stored counts of their (unit, model)s, adoptions), then
    /// written one after another. Each entry written joins what the next ones are checked
    /// against (its rows, as they will be stored), so an entry of another period of the same
    /// (unit, model) is judged as it would be after that one's commit: its overlaps, its
    /// history. An entry that names the very key of an entry before it in the group waits
    /// for the next group (the row it would edit is not inserted yet), so the group's rows
    /// never share a key.
    fn write_group<'t>(
        txn: &'t DatabaseTransaction,
        entries: &'t [Entry],
    ) -> futures_util::future::BoxFuture<'t, Result<Vec<Option<Self::Out>>, DbErr>> {
        use futures_util::FutureExt;
        async move {
            let batches: Vec<Batch<'_>> = entries.iter().map(Entry::batch).collect();
            let parsed: Vec<Result<Parsed, SurveyWriteError>> = batches.iter().map(Parsed::of).collect();
            let all: Vec<&Survey> = parsed.iter().flatten().flat_map(|p| p.surveys()).collect();
            let started = std::time::Instant::now();
            // Whole histories: the warnings compare each entry with its own.
            let mut facts = Facts::read(txn, &all, true).await?;
            let runs = adoptions_of(txn, &unit_codes(&all)).await?;
            let read = started.elapsed();
            let mut taken: HashSet<(String, Option<String>, String)> = HashSet::new();
            let mut verdicts = Vec::with_capacity(entries.len());
            let mut fresh = Vec::new();
            for (batch, parsed) in batches.iter().zip(parsed) {
                let parsed = match parsed {
                    Ok(parsed) => parsed,
                    Err(refused) => {
                        verdicts.push(Some(Err(refused)));
                        continue;
                    }
                };
                let keys: HashSet<(String, Option<String>, String)> =
                    parsed.surveys().map(|s| (s.unit_code.clone(), s.model_code.clone(), s.period.to_string())).collect();
                if !taken.is_disjoint(&keys) {
                    verdicts.push(None);
                    continue;
                }
                let changes = match judge(batch, parsed, &facts, &mut Pending::default()) {
                    Ok(changes) => changes,
                    Err(refused) => {
                        verdicts.push(Some(Err(refused)));
                        continue;
                    }
                };
                let warnings_of = advise(&runs, &facts.stored, &changes);
                if !warnings_of.is_empty() && !batch.confirmed {
                    verdicts.push(Some(Err(SurveyWriteError::Warned(listed(&warnings_of)))));
                    continue;
                }
                taken.extend(keys);
                // No savepoint: the rules passed against what the writer alone changes, so a
                // failure here is the database's, and it fails the whole group.
                let written = match write(txn, batch, &changes, &warnings_of, &mut fresh, &|_, _, _| {}).await {
                    Ok(written) => written,
                    Err(SurveyWriteError::Db(e)) => return Err(e),
                    Err(other) => return Err(DbErr::Custom(format!("an entry checked in its group failed: {other}"))),
                };
                for (_, s, old) in changes.iter().filter(|(_, s, old)| old.as_ref().is_none_or(|o| !same(o, s))) {
                    // As stored after the commit; a new row's id is the database's, and no
                    // later entry of the group edits it (its key is taken).
                    let id = Set(old.as_ref().map_or(0, |o| o.id));
                    facts.stored.insert(survey_count::ActiveModel { id, ..active(s, old.as_ref()) }.try_into_model()?);
                }
                verdicts.push(Some(Ok(Saved { written, warnings: listed(&warnings_of) })));
            }
            let judged = started.elapsed();
            // The group's new rows never share a key (their (unit, model)s are the group's
            // own), so they go in as one statement, and their audit entries as another.
            insert_fresh(txn, fresh).await?;
            tracing::debug!(
                read_us = read.as_micros() as u64,
                judge_us = (judged - read).as_micros() as u64,
                insert_us = (started.elapsed() - judged).as_micros() as u64,
                "survey group written"
            );
            Ok(verdicts)
        }
        .boxed()
    }
}

fn display_key(s: &Survey) -> String {
    format!("{}, {}, {}", s.unit_code, s.model_code.as_deref().unwrap_or(""), s.period)
}

fn same(old: &survey_count::Model, s: &Survey) -> bool {
    old.respondents == s.respondents && old.satisfied == s.satisfied && levels_of(old) == s.breakdown.map(|b| b.0)
}

fn levels_of(m: &survey_count::Model) -> Option<[i32; 5]> {
    Some([m.very_satisfied?, m.fairly_satisfied?, m.neutral?, m.dissatisfied?, m.very_dissatisfied?])
}

fn stored_values(m: &survey_count::Model) -> Stored {
    Stored { version: m.version, respondents: m.respondents, satisfied: m.satisfied, levels: levels_of(m) }
}

/// Writes the batch's updates, and leaves its new rows in `fresh` for [`insert_fresh`]
/// (an import's go in here, in chunks, with one audit entry for the whole run).
async fn write<'b>(
    txn: &DatabaseTransaction,
    batch: &Batch<'b>,
    changes: &[Change],
    warnings_of: &HashMap<u64, Vec<Warning>>,
    fresh: &mut Vec<Fresh<'b>>,
    progress: Progress<'_>,
) -> Result<Written, SurveyWriteError> {
    let mut written = Written::default();
    // An import's new rows go in chunks and the run gets one audit entry; single entries
    // (form, API) get one each, with the values written.
    let bulk = batch.audit.action.starts_with("import");
    let mut imported: Vec<&Survey> = Vec::new();
    for (line, s, old) in changes {
        let warnings: Vec<String> = warnings_of.get(line).map(|w| w.iter().map(ToString::to_string).collect()).unwrap_or_default();
        match old {
            None if bulk => imported.push(s),
            None => {
                fresh.push(Fresh { values: active(s, None), survey: s.clone(), audit: batch.audit, warnings });
                written.inserted += 1;
            }
            Some(old) if same(old, s) => written.unchanged += 1,
            Some(old) => {
                // The id stays (PostgreSQL refuses to set an identity column).
                let values = survey_count::ActiveModel { id: sea_orm::ActiveValue::NotSet, ..active(s, Some(old)) };
                let updated = survey_count::Entity::update_many()
                    .set(values)
                    .filter(survey_count::Column::Id.eq(old.id))
                    .filter(survey_count::Column::Version.eq(old.version))
                    .exec(txn)
                    .await?;
                if updated.rows_affected != 1 {
                    return Err(SurveyWriteError::Conflict { line: *line, stored: stored_values(old) });
                }
                let new = survey_count::Entity::find_by_id(old.id).one(txn).await?;
                batch.audit.record(txn, "survey_counts", s.key(), Some(old), new.as_ref(), &warnings).await?;
                written.updated += 1;
            }
        }
    }
    if bulk {
        written.inserted = insert_imported(txn, &imported, progress).await?;
    }
    Ok(written)
}

/// An import's new rows. On PostgreSQL a chunk's go in one statement whose only parameter
/// is the rows as JSON, unpacked by the server: sea-orm offers no `COPY` inside its
/// transaction, and INSERTs of 128 rows (`chunk_rows`) cost a round trip and a message of
/// some 1,700 parameters each (the import's times: docs/benchmarks.md). SQLite, in
/// process, takes multi-row INSERTs as they are.
async fn insert_imported(txn: &DatabaseTransaction, surveys: &[&Survey], progress: Progress<'_>) -> Result<u64, DbErr> {
    // Period by period, as the period index (`survey_counts_period`) and the survey sums are
    // ordered, not commune by commune as files come: a chunk's rows then land in a few runs
    // of neighbouring index pages instead of each on a page of its own, which the
    // database's page cache had to fetch again.
    let mut ordered = surveys.to_vec();
    ordered.sort_by_cached_key(|s| (s.period.first_day(), s.period.last_day()));
    if txn.get_database_backend() != DbBackend::Postgres {
        let rows = ordered.iter().map(|s| active(s, None)).collect();
        return insert_chunked(txn, rows, "surveys", progress, survey_count::Entity::insert_many).await;
    }
    // The rows as stored, from the one mapping of a survey to its columns (`active`); the
    // id is the database's (`INSERT_FROM_JSON` does not read it).
    let rows = ordered
        .iter()
        .map(|s| survey_count::ActiveModel { id: Set(0), ..active(s, None) }.try_into_model())
        .collect::<Result<Vec<survey_count::Model>, DbErr>>()?;
    let json = serde_json::to_string(&rows).map_err(|e| DbErr::Custom(format!("survey rows as JSON: {e}")))?;
    let inserted = txn.execute_raw(Statement::from_sql_and_values(DbBackend::Postgres, INSERT_FROM_JSON, [json.into()])).await?;
    progress("surveys", inserted.rows_affected(), surveys.len() as u64);
    if inserted.rows_affected() != surveys.len() as u64 {
        return Err(DbErr::Custom(format!("{} of {} survey rows inserted", inserted.rows_affected(), surveys.len())));
    }
    Ok(inserted.rows_affected())
}

const INSERT_FROM_JSON: &str = "INSERT INTO survey_counts (unit_code, model_code, period, period_start, period_end, \
     respondents, satisfied, very_satisfied, fairly_satisfied, neutral, dissatisfied, very_dissatisfied, version) \
     SELECT unit_code, model_code, period, period_start, period_end, respondents, satisfied, very_satisfied, \
     fairly_satisfied, neutral, dissatisfied, very_dissatisfied, version \
     FROM json_to_recordset($1::json) AS r(unit_code text, model_code text, period text, period_start date, \
     period_end date, respondents int, satisfied int, very_satisfied int, fairly_satisfied int, neutral int, \
     dissatisfied int, very_dissatisfied int, version int)";

/// A new row of an entry, waiting to be inserted with the others of its group.
struct Fresh<'b> {
    values: survey_count::ActiveModel,
    survey: Survey,
    audit: &'b Audit,
    warnings: Vec<String>,
}

/// Inserts new rows of entries a chunk at a time, reading back what was stored (its id is
/// in the audit entry), then their audit entries: two statements a chunk however many
/// entries it holds. No two rows share a key, so each comes back by its key.
async fn insert_fresh(txn: &DatabaseTransaction, fresh: Vec<Fresh<'_>>) -> Result<(), DbErr> {
    let chunk_rows = super::chunk_rows(txn.get_database_backend());
    let mut entries = Vec::with_capacity(fresh.len());
    for chunk in fresh.chunks(chunk_rows) {
        let stored = survey_count::Entity::insert_many(chunk.iter().map(|f| f.values.clone()))
            .exec_with_returning(txn)
            .await?;
        let mut by_key: HashMap<(String, Option<String>, String), survey_count::Model> =
            stored.into_iter().map(|m| ((m.unit_code.clone(), m.model_code.clone(), m.period.clone()), m)).collect();
        for f in chunk {
            let key = (f.survey.unit_code.clone(), f.survey.model_code.clone(), f.survey.period.to_string());
            let new = by_key.remove(&key).ok_or_else(|| DbErr::Custom(format!("{} was not read back", f.survey.key())))?;
            entries.push(f.audit.entry("survey_counts", f.survey.key(), None, Some(&new), &f.warnings));
        }
    }
    insert_chunked(txn, entries, "audit", &|_, _, _| {}, audit_log::Entity::insert_many).await?;
    Ok(())
}

/// The values to write; with the old row (for its version) when it is an update.
fn active(s: &Survey, old: Option<&survey_count::Model>) -> survey_count::ActiveModel {
    let level = |i: usize| Set(s.breakdown.map(|b| b.0[i]));
    survey_count::ActiveModel {
        id: sea_orm::ActiveValue::NotSet,
        unit_code: Set(s.unit_code.clone()),
        model_code: Set(s.model_code.clone()),
        period: Set(s.period.to_string()),
        period_start: Set(s.period.first_day()),
        period_end: Set(s.period.last_day()),
        respondents: Set(s.respondents),
        satisfied: Set(s.satisfied),
        very_satisfied: level(0),
        fairly_satisfied: level(1),
        neutral: level(2),
        dissatisfied: level(3),
        very_dissatisfied: level(4),
        version: Set(old.map_or(1, |o| o.version + 1)),
    }
}

/// Deletes one survey count (an official's correction, with a reason), keeping its values
/// in the audit log. Refused when the stored version is not the one the official saw.
pub async fn delete(
    txn: &DatabaseTransaction,
    writer: &Writer,
    key: (&str, Option<&str>, &str),
    version: i32,
    audit: &Audit,
) -> Result<Written, SurveyWriteError> {
    let (unit_code, model_code, period) = key;
    if !writer.may_delete_survey() {
        return Err(SurveyWriteError::Forbidden { line: 1, unit: unit_code.to_string() });
    }
    if audit.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
        return Err(SurveyWriteError::ReasonRequired);
    }
    let shown = format!("{unit_code}, {}, {period}", model_code.unwrap_or(""));
    let old = find(txn, unit_code, model_code, period).await?.ok_or(SurveyWriteError::NotFound(shown))?;
    if old.version != version {
        return Err(SurveyWriteError::Conflict { line: 1, stored: stored_values(&old) });
    }
    survey_count::Entity::delete_by_id(old.id).exec(txn).await?;
    let key = format!("{}/{}/{}", old.unit_code, old.model_code.as_deref().unwrap_or(""), old.period);
    audit.record(txn, "survey_counts", key, Some(&old), None, &[]).await?;
    Ok(Written { deleted: 1, ..Default::default() })
}

/// Each unit's validity and parent, looked up in chunks.
async fn units_of(txn: &DatabaseTransaction, codes: &[String]) -> Result<HashMap<String, (DateSpan, Option<String>)>, DbErr> {
    let mut out = HashMap::new();
    for chunk in codes.chunks(500) {
        for u in unit::Entity::find().filter(unit::Column::Code.is_in(chunk.to_vec())).all(txn).await? {
            out.insert(u.code, (DateSpan::new(u.valid_from, u.valid_to), u.parent_code));
        }
    }
    Ok(out)
}

/// The known models among these codes (`None`, the unit's service as a whole, is no model).
async fn models_of(txn: &DatabaseTransaction, named: &[Option<String>]) -> Result<HashSet<String>, DbErr> {
    let codes: Vec<String> = named.iter().flatten().cloned().collect();
    let mut out = HashSet::new();
    for chunk in codes.chunks(500) {
        let found = reform_model::Entity::find()
            .select_only()
            .column(reform_model::Column::Code)
            .filter(reform_model::Column::Code.is_in(chunk.to_vec()))
            .into_tuple::<String>()
            .all(txn)
            .await?;
        out.extend(found);
    }
    Ok(out)
}

/// The stored survey counts of these (unit, model)s (those within `span` only, when given),
/// streamed in chunks so that a run never loads the whole table.
async fn stored_of(
    txn: &DatabaseTransaction,
    pairs: &[(String, Option<String>)],
    span: Option<(NaiveDate, NaiveDate)>,
) -> Result<StoredCounts, DbErr> {
    use sea_orm::sea_query::{Expr, ExprTrait};
    use sea_orm::Condition;
    let mut out = StoredCounts::default();
    // A hundred pairs per query: SQLite caps an expression's depth at 1,000.
    for chunk in pairs.chunks(100) {
        let mut any = Condition::any();
        for (unit, model) in chunk {
            // The key index's own expression, so that both its columns narrow the search.
            any = any.add(
                Condition::all()
                    .add(survey_count::Column::UnitCode.eq(unit.clone()))
                    .add(Expr::cust("COALESCE(model_code, '')").eq(model.clone().unwrap_or_default())),
            );
        }
        // The span is applied here, not in SQL: given it, PostgreSQL's generic plan for this
        // prepared statement (its statistics still those of the empty table, inside an
        // import's transaction) scanned the period index over every row the import had
        // written so far, then filtered by key: quadratic in the import's size. A
        // (unit, model)'s whole history is at most a few hundred rows.
        let mut found = survey_count::Entity::find().filter(any).stream(txn).await?;
        while let Some(s) = found.try_next().await? {
            if span.is_none_or(|(first, last)| s.period_end >= first && s.period_start <= last) {
                out.insert(s);
            }
        }
    }
    Ok(out)
}

/// The adoptions of the units, by unit: (model, started, ended).
async fn adoptions_of(
    txn: &DatabaseTransaction,
    codes: &[String],
) -> Result<HashMap<String, Vec<(String, NaiveDate, Option<NaiveDate>)>>, DbErr> {
    let mut out: HashMap<String, Vec<_>> = HashMap::new();
    for chunk in codes.chunks(500) {
        let found = adoption::Entity::find().filter(adoption::Column::UnitCode.is_in(chunk.to_vec())).all(txn).await?;
        for a in found {
            out.entry(a.unit_code).or_default().push((a.model_code, a.started_on, a.ended_on));
        }
    }
    Ok(out)
}

/// The warnings of one entry: a model the unit does not run then, a rate or a size unlike
/// its own earlier reports of the same model (`earlier`: the stored counts of its unit and model).
fn warnings(
    s: &Survey,
    earlier: &[&survey_count::Model],
    runs: &HashMap<String, Vec<(String, NaiveDate, Option<NaiveDate>)>>,
) -> Vec<Warning> {
    let period = s.period.to_string();
    let history: Vec<(i32, i32)> =
        earlier.iter().filter(|o| o.period != period).map(|o| (o.respondents, o.satisfied)).collect();
    let mut out = survey::unusual(s, &history);
    if let Some(m) = &s.model_code {
        let (first, last) = (s.period.first_day(), s.period.last_day());
        let running = runs.get(&s.unit_code).is_some_and(|list| {
            list.iter().any(|(model, started, ended)| model == m && *started <= last && ended.is_none_or(|e| e >= first))
        });
        if !running {
            out.insert(0, Warning::ModelNotRun(m.clone()));
        }
    }
    out
}

/// The stored count of one key, for an edit form.
pub async fn find(
    db: &impl sea_orm::ConnectionTrait,
    unit_code: &str,
    model_code: Option<&str>,
    period: &str,
) -> Result<Option<survey_count::Model>, DbErr> {
    let mut q = survey_count::Entity::find()
        .filter(survey_count::Column::UnitCode.eq(unit_code))
        .filter(survey_count::Column::Period.eq(period));
    q = match model_code {
        Some(m) => q.filter(survey_count::Column::ModelCode.eq(m)),
        None => q.filter(survey_count::Column::ModelCode.is_null()),
    };
    q.one(db).await
}
