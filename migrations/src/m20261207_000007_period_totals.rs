//! Period totals: the ballots of every (period, model) over the whole database, kept from
//! the survey sums (`m20261202_000005_survey_sums`) in the same transaction as every write
//! that changes them. The country's trend and the headline count of ballots read a few
//! hundred of these instead of every sum of every district: two of the aggregates a
//! dashboard recomputed after each write, the ones that grew with the whole database.
//!
//! Kept by triggers on `survey_sums` itself, so whatever changes a sum — a survey written,
//! corrected or deleted, a commune moved, an import — changes its period's total by the
//! same amount, and a sum moved from one group to another leaves the total as it was. On
//! SQLite a row trigger per sum; on PostgreSQL statement triggers that add a whole
//! statement's sums at once from its transition tables (an import changes millions).
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000007_period_totals"
    }
}

/// The totals' key.
const KEY: &str = "period_start, period_end, model_code";

fn table(backend: DbBackend) -> String {
    let rowid = crate::without_rowid(backend);
    format!(
        "CREATE TABLE period_totals (
            period_start DATE NOT NULL,
            period_end DATE NOT NULL,
            model_code TEXT NOT NULL,
            reports BIGINT NOT NULL,
            respondents BIGINT NOT NULL,
            satisfied BIGINT NOT NULL,
            PRIMARY KEY ({KEY})
        ){rowid}"
    )
}

/// Adds `select` (rows of [`KEY`], then reports, respondents, satisfied) to the totals.
fn add(select: &str) -> String {
    crate::add_counts("period_totals", KEY, &["reports", "respondents", "satisfied"], select)
}

/// The backfill: the survey sums as they are, by period and model.
fn totals_of_sums() -> String {
    format!(
        "SELECT {KEY}, SUM(reports), SUM(respondents), SUM(satisfied) FROM survey_sums WHERE 1 = 1 GROUP BY {KEY}"
    )
}

fn sqlite_statements() -> Vec<String> {
    // The sum row `r` (NEW, or OLD with its signs turned) as a total. `WHERE 1 = 1` keeps
    // SQLite's parser from reading the upsert's ON as a join's.
    let one = |r: &str, sign: &str| {
        format!(
            "SELECT {r}.period_start, {r}.period_end, {r}.model_code, {sign}{r}.reports, {sign}{r}.respondents, \
             {sign}{r}.satisfied WHERE 1 = 1"
        )
    };
    let drop_empty = "DELETE FROM period_totals WHERE period_start = OLD.period_start AND period_end = OLD.period_end \
                      AND model_code = OLD.model_code AND reports = 0;";
    vec![
        table(DbBackend::Sqlite),
        format!("CREATE TRIGGER period_totals_insert AFTER INSERT ON survey_sums BEGIN {}; END", add(&one("NEW", ""))),
        format!(
            "CREATE TRIGGER period_totals_update AFTER UPDATE ON survey_sums BEGIN {}; {}; {drop_empty} END",
            add(&one("OLD", "-")),
            add(&one("NEW", ""))
        ),
        format!("CREATE TRIGGER period_totals_delete AFTER DELETE ON survey_sums BEGIN {}; {drop_empty} END", add(&one("OLD", "-"))),
        add(&totals_of_sums()),
    ]
}

fn postgres_statements() -> Vec<String> {
    // A statement's changed sums, grouped by period and model: the new rows added, the old
    // ones taken away, in key order (as the survey sums' own triggers take their locks).
    let change = |parts: &[(&str, &str)]| {
        let rows = parts
            .iter()
            .map(|(table, sign)| {
                format!("SELECT {KEY}, {sign}reports AS reports, {sign}respondents AS respondents, {sign}satisfied AS satisfied FROM {table}")
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let grouped = format!(
            "SELECT {KEY}, SUM(reports), SUM(respondents), SUM(satisfied) FROM ({rows}) c GROUP BY {KEY} ORDER BY {KEY}"
        );
        let touched = parts.iter().map(|(table, _)| format!("SELECT {KEY} FROM {table}")).collect::<Vec<_>>().join(" UNION ");
        format!(
            "{}; DELETE FROM period_totals t USING ({touched}) k WHERE t.period_start = k.period_start \
             AND t.period_end = k.period_end AND t.model_code = k.model_code AND t.reports = 0;",
            add(&grouped)
        )
    };
    let function = |name: &str, body: String| crate::trigger_function(name, &body);
    let on_statement = |name: &str, event: &str, rows: &str, function: &str| {
        format!(
            "CREATE TRIGGER {name} AFTER {event} ON survey_sums REFERENCING {rows} \
             FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    };
    vec![
        table(DbBackend::Postgres),
        function("period_totals_insert", change(&[("new_rows", "")])),
        function("period_totals_update", change(&[("new_rows", ""), ("old_rows", "-")])),
        function("period_totals_delete", change(&[("old_rows", "-")])),
        on_statement("period_totals_insert", "INSERT", "NEW TABLE AS new_rows", "period_totals_insert"),
        on_statement("period_totals_update", "UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows", "period_totals_update"),
        on_statement("period_totals_delete", "DELETE", "OLD TABLE AS old_rows", "period_totals_delete"),
        add(&totals_of_sums()),
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
                "DROP TRIGGER period_totals_insert ON survey_sums",
                "DROP TRIGGER period_totals_update ON survey_sums",
                "DROP TRIGGER period_totals_delete ON survey_sums",
                "DROP FUNCTION period_totals_insert, period_totals_update, period_totals_delete",
                "DROP TABLE period_totals",
            ],
            _ => &[
                "DROP TRIGGER period_totals_insert",
                "DROP TRIGGER period_totals_update",
                "DROP TRIGGER period_totals_delete",
                "DROP TABLE period_totals",
            ],
        };
        crate::execute_all(manager, statements).await
    }
}
