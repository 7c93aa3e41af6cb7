//! What a figure reads after a survey write, kept by the database so that it stays a few
//! hundred rows whatever the size of the country:
//!
//! - `period_sums`: the survey sums (`m20261202_000005_survey_sums`) of every period a
//!   filter can name — month, quarter, year — that contains the survey's own period. A
//!   monthly sum counts in its month, its quarter and its year; a quarterly one in its
//!   quarter and its year. "The surveys inside P" is then one key range of P instead of
//!   every sum of P's months (a year's district summary of a whole country read 80,000
//!   sums; it reads 7,700). Kept by triggers on `survey_sums`, like the period totals.
//! - `unit_reports`: how many survey rows each unit has inside each such period, for the
//!   completeness of P (a commune has reported when it has one). Kept by triggers on
//!   `survey_counts`.
//! - `data_version.structure`: raised by any change of units, adoptions or models, the
//!   rows that figures count communes and adoptions from. A survey write raises only the
//!   data version, so what was computed from the structure alone outlives it.
//!
//! Rows that fall to zero reports are left in place (their sums are zero too): a read asks
//! for `reports > 0` where it matters, and a trigger does not search for rows to delete.
use sea_orm_migration::prelude::*;
use crate::add_counts;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000008_live_figures"
    }
}

/// The period sums' key, the period first: a period's sums are one range of it.
const SUMS_KEY: &str = "period_start, period_end, group_code, unit_level, model_code";
/// The unit reports' key.
const REPORTS_KEY: &str = "period_start, period_end, unit_code";

/// The tables whose rows the structure counts.
const STRUCTURE: [&str; 3] = ["units", "adoptions", "reform_models"];

fn tables(backend: DbBackend) -> Vec<String> {
    let rowid = crate::without_rowid(backend);
    vec![
        format!(
            "CREATE TABLE period_sums (
                period_start DATE NOT NULL,
                period_end DATE NOT NULL,
                group_code TEXT NOT NULL,
                unit_level TEXT NOT NULL,
                model_code TEXT NOT NULL,
                reports BIGINT NOT NULL,
                respondents BIGINT NOT NULL,
                satisfied BIGINT NOT NULL,
                PRIMARY KEY ({SUMS_KEY})
            ){rowid}"
        ),
        format!(
            "CREATE TABLE unit_reports (
                period_start DATE NOT NULL,
                period_end DATE NOT NULL,
                unit_code TEXT NOT NULL,
                reports BIGINT NOT NULL,
                PRIMARY KEY ({REPORTS_KEY})
            ){rowid}"
        ),
        "ALTER TABLE data_version ADD COLUMN structure BIGINT NOT NULL DEFAULT 0".into(),
    ]
}

/// The first and last days of the quarter and of the year of the date `d`, per engine.
struct Bounds {
    quarter: (String, String),
    year: (String, String),
}

fn bounds(backend: DbBackend, d: &str) -> Bounds {
    if backend == DbBackend::Postgres {
        let trunc = |unit: &str, len: &str| {
            (
                format!("CAST(date_trunc('{unit}', {d}) AS DATE)"),
                format!("CAST(date_trunc('{unit}', {d}) + interval '{len}' - interval '1 day' AS DATE)"),
            )
        };
        return Bounds { quarter: trunc("quarter", "3 months"), year: trunc("year", "1 year") };
    }
    // Dates are ISO text on SQLite.
    let month = format!("CAST(substr({d}, 6, 2) AS INTEGER)");
    let quarter = |days: [&str; 4]| {
        format!(
            "substr({d}, 1, 5) || CASE WHEN {month} <= 3 THEN '{}' WHEN {month} <= 6 THEN '{}' \
             WHEN {month} <= 9 THEN '{}' ELSE '{}' END",
            days[0], days[1], days[2], days[3]
        )
    };
    Bounds {
        quarter: (quarter(["01-01", "04-01", "07-01", "10-01"]), quarter(["03-31", "06-30", "09-30", "12-31"])),
        year: (format!("substr({d}, 1, 4) || '-01-01'"), format!("substr({d}, 1, 4) || '-12-31'")),
    }
}

/// The rows `columns` of `from` (rows with `period_start` and `period_end`, spelled with
/// `prefix`), once for each filter period containing their own: the period itself, its
/// quarter when it is shorter, its year when it is shorter. The covering period comes
/// first, as `period_start, period_end`; `columns` name themselves (`x AS name`).
fn covered(backend: DbBackend, prefix: &str, columns: &str, from: &str) -> String {
    let (start, end) = (format!("{prefix}period_start"), format!("{prefix}period_end"));
    let Bounds { quarter: (qs, qe), year: (ys, ye) } = bounds(backend, &start);
    format!(
        "SELECT {start} AS period_start, {end} AS period_end, {columns} {from} WHERE 1 = 1 \
         UNION ALL SELECT {qs}, {qe}, {columns} {from} WHERE {end} <= {qe} AND ({start} <> {qs} OR {end} <> {qe}) \
         UNION ALL SELECT {ys}, {ye}, {columns} {from} WHERE {start} <> {ys} OR {end} <> {ye}"
    )
}

/// The rows of `rows` (named as `table`'s columns) summed by `key`, in key order, with a
/// WHERE, which keeps SQLite's parser from reading an upsert's ON as a join's.
fn grouped(key: &str, counted: &[&str], rows: &str) -> String {
    let sums = counted.iter().map(|c| format!("SUM({c})")).collect::<Vec<_>>().join(", ");
    format!("SELECT {key}, {sums} FROM ({rows}) c WHERE 1 = 1 GROUP BY {key} ORDER BY {key}")
}

const SUMS_COUNTED: [&str; 3] = ["reports", "respondents", "satisfied"];

/// A survey sum row `r` (or a table's rows) with its counts signed, as period sums.
fn sums_of(backend: DbBackend, prefix: &str, sign: &str, from: &str) -> String {
    covered(
        backend,
        prefix,
        &format!(
            "{prefix}group_code AS group_code, {prefix}unit_level AS unit_level, {prefix}model_code AS model_code, \
             {sign}{prefix}reports AS reports, {sign}{prefix}respondents AS respondents, {sign}{prefix}satisfied AS satisfied"
        ),
        from,
    )
}

/// A survey row `r` (or a table's rows) counted once, signed, as unit reports.
fn reports_of(backend: DbBackend, prefix: &str, sign: &str, from: &str) -> String {
    covered(backend, prefix, &format!("{prefix}unit_code AS unit_code, {sign}1 AS reports"), from)
}

fn backfill(backend: DbBackend) -> Vec<String> {
    let sums = grouped(SUMS_KEY, &SUMS_COUNTED, &sums_of(backend, "s.", "", "FROM survey_sums s"));
    let reports = grouped(REPORTS_KEY, &["reports"], &reports_of(backend, "s.", "", "FROM survey_counts s"));
    vec![add_counts("period_sums", SUMS_KEY, &SUMS_COUNTED, &sums), add_counts("unit_reports", REPORTS_KEY, &["reports"], &reports)]
}

fn sqlite_statements() -> Vec<String> {
    let b = DbBackend::Sqlite;
    // The trigger's row `r` (NEW, or OLD with its signs turned), once per covering period.
    let rows = |covered: String| format!("SELECT * FROM ({covered}) r WHERE 1 = 1");
    let sums = |r: &str, sign: &str| add_counts("period_sums", SUMS_KEY, &SUMS_COUNTED, &rows(sums_of(b, &format!("{r}."), sign, "")));
    let reports =
        |r: &str, sign: &str| add_counts("unit_reports", REPORTS_KEY, &["reports"], &rows(reports_of(b, &format!("{r}."), sign, "")));
    let mut statements = tables(b);
    statements.extend([
        format!("CREATE TRIGGER period_sums_insert AFTER INSERT ON survey_sums BEGIN {}; END", sums("NEW", "")),
        format!("CREATE TRIGGER period_sums_update AFTER UPDATE ON survey_sums BEGIN {}; {}; END", sums("OLD", "-"), sums("NEW", "")),
        format!("CREATE TRIGGER period_sums_delete AFTER DELETE ON survey_sums BEGIN {}; END", sums("OLD", "-")),
        format!("CREATE TRIGGER unit_reports_insert AFTER INSERT ON survey_counts BEGIN {}; END", reports("NEW", "")),
        format!(
            "CREATE TRIGGER unit_reports_update AFTER UPDATE OF unit_code, period_start, period_end ON survey_counts \
             BEGIN {}; {}; END",
            reports("OLD", "-"),
            reports("NEW", "")
        ),
        format!("CREATE TRIGGER unit_reports_delete AFTER DELETE ON survey_counts BEGIN {}; END", reports("OLD", "-")),
    ]);
    for table in STRUCTURE {
        for event in ["INSERT", "UPDATE", "DELETE"] {
            statements.push(format!(
                "CREATE TRIGGER {table}_structure_{} AFTER {event} ON {table} \
                 BEGIN UPDATE data_version SET structure = structure + 1 WHERE id = 1; END",
                event.to_lowercase()
            ));
        }
    }
    statements.extend(backfill(b));
    statements
}

fn postgres_statements() -> Vec<String> {
    let b = DbBackend::Postgres;
    // A statement's changed rows, grouped by key, in key order (as the survey sums' own
    // triggers take their row locks): the new rows added, the old ones taken away.
    let change = |table: &str, key: &str, counted: &[&str], of: &dyn Fn(&str, &str) -> String, parts: &[(&str, &str)]| {
        let rows = parts.iter().map(|(rows, sign)| of(sign, &format!("FROM {rows} t"))).collect::<Vec<_>>().join(" UNION ALL ");
        format!("{};", add_counts(table, key, counted, &grouped(key, counted, &rows)))
    };
    let sums = |parts: &[(&str, &str)]| {
        change("period_sums", SUMS_KEY, &SUMS_COUNTED, &|sign, from| sums_of(b, "t.", sign, from), parts)
    };
    let reports =
        |parts: &[(&str, &str)]| change("unit_reports", REPORTS_KEY, &["reports"], &|sign, from| reports_of(b, "t.", sign, from), parts);
    let function = |name: &str, body: String| crate::trigger_function(name, &body);
    let on_statement = |name: &str, event: &str, on: &str, rows: &str| {
        format!("CREATE TRIGGER {name} AFTER {event} ON {on} REFERENCING {rows} FOR EACH STATEMENT EXECUTE FUNCTION {name}()")
    };
    let (new, old) = (("new_rows", ""), ("old_rows", "-"));
    let mut statements = tables(b);
    statements.extend([
        function("period_sums_insert", sums(&[new])),
        function("period_sums_update", sums(&[new, old])),
        function("period_sums_delete", sums(&[old])),
        function("unit_reports_insert", reports(&[new])),
        function("unit_reports_update", reports(&[new, old])),
        function("unit_reports_delete", reports(&[old])),
        on_statement("period_sums_insert", "INSERT", "survey_sums", "NEW TABLE AS new_rows"),
        on_statement("period_sums_update", "UPDATE", "survey_sums", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        on_statement("period_sums_delete", "DELETE", "survey_sums", "OLD TABLE AS old_rows"),
        on_statement("unit_reports_insert", "INSERT", "survey_counts", "NEW TABLE AS new_rows"),
        on_statement("unit_reports_update", "UPDATE", "survey_counts", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
        on_statement("unit_reports_delete", "DELETE", "survey_counts", "OLD TABLE AS old_rows"),
        function("structure_raise", "UPDATE data_version SET structure = structure + 1 WHERE id = 1;".into()),
    ]);
    for table in STRUCTURE {
        statements.push(format!(
            "CREATE TRIGGER {table}_structure AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} \
             FOR EACH STATEMENT EXECUTE FUNCTION structure_raise()"
        ));
    }
    statements.extend(backfill(b));
    statements
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
        let mut statements: Vec<String> = Vec::new();
        match manager.get_connection().get_database_backend() {
            DbBackend::Postgres => {
                for (name, on) in [("period_sums", "survey_sums"), ("unit_reports", "survey_counts")] {
                    for event in ["insert", "update", "delete"] {
                        statements.push(format!("DROP TRIGGER {name}_{event} ON {on}"));
                        statements.push(format!("DROP FUNCTION {name}_{event}"));
                    }
                }
                for table in STRUCTURE {
                    statements.push(format!("DROP TRIGGER {table}_structure ON {table}"));
                }
                statements.push("DROP FUNCTION structure_raise".into());
            }
            _ => {
                for name in ["period_sums", "unit_reports"] {
                    for event in ["insert", "update", "delete"] {
                        statements.push(format!("DROP TRIGGER {name}_{event}"));
                    }
                }
                for table in STRUCTURE {
                    for event in ["insert", "update", "delete"] {
                        statements.push(format!("DROP TRIGGER {table}_structure_{event}"));
                    }
                }
            }
        }
        statements.extend(["DROP TABLE period_sums".into(), "DROP TABLE unit_reports".into()]);
        statements.push("ALTER TABLE data_version DROP COLUMN structure".into());
        crate::execute_all(manager, &statements.iter().map(String::as_str).collect::<Vec<_>>()).await
    }
}
