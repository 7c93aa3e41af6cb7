//! Survey sums: the ballots of every (period, group, level, model), kept by the database in
//! the same transaction as every write of a survey count, so the figures of a whole
//! province or country read tens of thousands of sums instead of millions of counts.
//!
//! A survey's group is its commune's parent (a district before 2025, the province after)
//! or, for a district's or province's own survey, the unit itself; the unit's level is
//! kept beside it, so "a district's communes and the district itself" and "the districts
//! and communes of a province" are both unions of groups. Validity needs nothing here: a
//! survey's unit is valid during the survey's period (the contract's rule, checked on every
//! write of a survey and of a unit), so it is valid during any filter period the survey
//! counts in.
//!
//! Triggers rather than the application's write paths: entries, the API, imports,
//! corrections, deletions and a commune moved to another district all change the sums,
//! and a trigger cannot be forgotten by the next one. On SQLite a row trigger per row; on
//! PostgreSQL a statement trigger sums a whole chunk of an import at once from its
//! transition table.
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261202_000005_survey_sums"
    }
}

/// The sums' key, in the primary key's order: a period's sums are one range of it.
const KEY: &str = "period_start, period_end, group_code, unit_level, model_code";

/// The group of the unit `u`.
const GROUP: &str = "CASE WHEN u.level = 'commune' THEN u.parent_code ELSE u.code END";

/// The group a unit row had before an update (in a trigger on `units`).
const OLD_GROUP: &str = "(CASE WHEN OLD.level = 'commune' THEN OLD.parent_code ELSE OLD.code END)";

fn table(backend: DbBackend) -> String {
    let rowid = crate::without_rowid(backend);
    format!(
        "CREATE TABLE survey_sums (
            period_start DATE NOT NULL,
            period_end DATE NOT NULL,
            group_code TEXT NOT NULL,
            unit_level TEXT NOT NULL,
            model_code TEXT NOT NULL,
            reports BIGINT NOT NULL,
            respondents BIGINT NOT NULL,
            satisfied BIGINT NOT NULL,
            PRIMARY KEY ({KEY})
        ){rowid}"
    )
}

/// The sums of the survey rows `rows` (a table of `survey_counts`' shape), by key.
fn summed(rows: &str) -> String {
    format!(
        "SELECT s.period_start, s.period_end, {GROUP}, u.level, COALESCE(s.model_code, ''), \
         COUNT(*), SUM(s.respondents), SUM(s.satisfied) \
         FROM {rows} s JOIN units u ON u.code = s.unit_code WHERE 1 = 1 \
         GROUP BY s.period_start, s.period_end, {GROUP}, u.level, COALESCE(s.model_code, '')"
    )
}

/// Adds the sums of `select` (rows in [`KEY`] order, then reports, respondents, satisfied).
fn add(select: &str) -> String {
    crate::add_counts("survey_sums", KEY, &["reports", "respondents", "satisfied"], select)
}

fn sqlite_statements() -> Vec<String> {
    // One survey row `r` (NEW or OLD) as a sum of one report.
    let one = |r: &str| {
        format!(
            "SELECT {r}.period_start, {r}.period_end, {GROUP}, u.level, COALESCE({r}.model_code, ''), \
             1, {r}.respondents, {r}.satisfied FROM units u WHERE u.code = {r}.unit_code"
        )
    };
    // Where the sum of the row `r` is kept.
    let key_of = |r: &str| {
        format!(
            "period_start = {r}.period_start AND period_end = {r}.period_end \
             AND model_code = COALESCE({r}.model_code, '') \
             AND group_code = (SELECT {GROUP} FROM units u WHERE u.code = {r}.unit_code) \
             AND unit_level = (SELECT u.level FROM units u WHERE u.code = {r}.unit_code)"
        )
    };
    let remove = |r: &str| {
        format!(
            "UPDATE survey_sums SET reports = reports - 1, respondents = respondents - {r}.respondents, \
             satisfied = satisfied - {r}.satisfied WHERE {key}; \
             DELETE FROM survey_sums WHERE {key} AND reports = 0;",
            key = key_of(r)
        )
    };
    // A unit's surveys, summed, under the group and level of the unit row `r`.
    let unit_sums = |r: &str| {
        format!(
            "SELECT period_start, period_end, CASE WHEN {r}.level = 'commune' THEN {r}.parent_code ELSE {r}.code END, \
             {r}.level, COALESCE(model_code, ''), COUNT(*), SUM(respondents), SUM(satisfied) \
             FROM survey_counts WHERE unit_code = {r}.code GROUP BY period_start, period_end, COALESCE(model_code, '')"
        )
    };
    vec![
        table(DbBackend::Sqlite),
        format!("CREATE TRIGGER survey_sums_insert AFTER INSERT ON survey_counts BEGIN {}; END", add(&one("NEW"))),
        format!("CREATE TRIGGER survey_sums_delete AFTER DELETE ON survey_counts BEGIN {} END", remove("OLD")),
        format!(
            "CREATE TRIGGER survey_sums_update AFTER UPDATE OF unit_code, model_code, period_start, period_end, \
             respondents, satisfied ON survey_counts BEGIN {} {}; END",
            remove("OLD"),
            add(&one("NEW"))
        ),
        // A commune moved under another parent takes its sums along.
        format!(
            "CREATE TRIGGER survey_sums_regroup AFTER UPDATE OF parent_code, level ON units \
             WHEN OLD.parent_code IS NOT NEW.parent_code OR OLD.level IS NOT NEW.level BEGIN \
             UPDATE survey_sums SET reports = survey_sums.reports - g.reports, \
             respondents = survey_sums.respondents - g.respondents, satisfied = survey_sums.satisfied - g.satisfied \
             FROM (SELECT period_start, period_end, COALESCE(model_code, '') AS model_code, COUNT(*) AS reports, \
             SUM(respondents) AS respondents, SUM(satisfied) AS satisfied FROM survey_counts \
             WHERE unit_code = OLD.code GROUP BY period_start, period_end, COALESCE(model_code, '')) AS g \
             WHERE survey_sums.period_start = g.period_start AND survey_sums.period_end = g.period_end \
             AND survey_sums.model_code = g.model_code AND survey_sums.group_code = {OLD_GROUP} \
             AND survey_sums.unit_level = OLD.level; \
             DELETE FROM survey_sums WHERE group_code = {OLD_GROUP} AND unit_level = OLD.level AND reports = 0; \
             {}; END",
            add(&unit_sums("NEW"))
        ),
        add(&summed("survey_counts")),
    ]
}

fn postgres_statements() -> Vec<String> {
    // Subtracts the sums of `rows`, then drops the keys left with no report.
    let remove = |rows: &str| {
        let g = format!("WITH g ({KEY}, reports, respondents, satisfied) AS ({})", summed(rows));
        let same_key = "t.period_start = g.period_start AND t.period_end = g.period_end \
                        AND t.group_code = g.group_code AND t.unit_level = g.unit_level AND t.model_code = g.model_code";
        format!(
            "{g} UPDATE survey_sums t SET reports = t.reports - g.reports, respondents = t.respondents - g.respondents, \
             satisfied = t.satisfied - g.satisfied FROM g WHERE {same_key}; \
             {g} DELETE FROM survey_sums t USING g WHERE {same_key} AND t.reports = 0;"
        )
    };
    // In key order, so that two writers would take the sums' row locks in the same order.
    let add_rows = |rows: &str| format!("{} ;", add(&format!("{} ORDER BY 1, 2, 3, 4, 5", summed(rows))));
    let function = |name: &str, body: String| crate::trigger_function(name, &body);
    // A trigger on survey counts that runs `function` once per statement, on its rows.
    let on_statement = |name: &str, event: &str, rows: &str, function: &str| {
        format!(
            "CREATE TRIGGER {name} AFTER {event} ON survey_counts REFERENCING {rows} \
             FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    };
    // The rows of the unit `r`, as a table for `summed`.
    let unit_rows = |r: &str| format!("(SELECT * FROM survey_counts WHERE unit_code = {r}.code)");
    // `summed` joins units, which already hold the new parent: the old group is spelled out.
    let regroup_remove = format!(
        "WITH g (period_start, period_end, model_code, reports, respondents, satisfied) AS \
         (SELECT period_start, period_end, COALESCE(model_code, ''), COUNT(*), SUM(respondents), SUM(satisfied) \
         FROM survey_counts WHERE unit_code = OLD.code GROUP BY 1, 2, 3) \
         UPDATE survey_sums t SET reports = t.reports - g.reports, respondents = t.respondents - g.respondents, \
         satisfied = t.satisfied - g.satisfied FROM g WHERE t.period_start = g.period_start \
         AND t.period_end = g.period_end AND t.model_code = g.model_code \
         AND t.group_code = {OLD_GROUP} AND t.unit_level = OLD.level; \
         DELETE FROM survey_sums t WHERE t.group_code = {OLD_GROUP} AND t.unit_level = OLD.level AND t.reports = 0;"
    );
    vec![
        table(DbBackend::Postgres),
        function("survey_sums_add", add_rows("new_rows")),
        function("survey_sums_remove", remove("old_rows")),
        function("survey_sums_regroup", format!("{regroup_remove} {}", add_rows(&unit_rows("NEW")))),
        on_statement("survey_sums_insert", "INSERT", "NEW TABLE AS new_rows", "survey_sums_add"),
        on_statement("survey_sums_delete", "DELETE", "OLD TABLE AS old_rows", "survey_sums_remove"),
        // Two triggers for an update, fired in name order: the old rows out, the new ones in.
        on_statement("survey_sums_update_1", "UPDATE", "OLD TABLE AS old_rows", "survey_sums_remove"),
        on_statement("survey_sums_update_2", "UPDATE", "NEW TABLE AS new_rows", "survey_sums_add"),
        "CREATE TRIGGER survey_sums_regroup AFTER UPDATE OF parent_code, level ON units FOR EACH ROW \
         WHEN (OLD.parent_code IS DISTINCT FROM NEW.parent_code OR OLD.level IS DISTINCT FROM NEW.level) \
         EXECUTE FUNCTION survey_sums_regroup()"
            .into(),
        add(&summed("survey_counts")),
    ]
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::execute_for_engine(manager, postgres_statements, sqlite_statements).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements: &[&str] = match manager.get_connection().get_database_backend() {
            DbBackend::Postgres => &[
                "DROP TRIGGER survey_sums_regroup ON units",
                "DROP TRIGGER survey_sums_insert ON survey_counts",
                "DROP TRIGGER survey_sums_delete ON survey_counts",
                "DROP TRIGGER survey_sums_update_1 ON survey_counts",
                "DROP TRIGGER survey_sums_update_2 ON survey_counts",
                "DROP FUNCTION survey_sums_add, survey_sums_remove, survey_sums_regroup",
                "DROP TABLE survey_sums",
            ],
            _ => &[
                "DROP TRIGGER survey_sums_regroup",
                "DROP TRIGGER survey_sums_insert",
                "DROP TRIGGER survey_sums_delete",
                "DROP TRIGGER survey_sums_update",
                "DROP TABLE survey_sums",
            ],
        };
        crate::execute_all(manager, statements).await
    }
}
