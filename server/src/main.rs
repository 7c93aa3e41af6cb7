//! The `reformdash` command: serve the app (the default), migrate, load the demo, import
//! and export. Every subcommand reads `DATABASE_URL`; only `serve` and `demo` add demo data.
use app::ssr::import::{self, ImportError, ImportOptions};
use clap::{Args, Parser, Subcommand};
use server::config::{demo_passwords_file, Demo, Limits, Settings, DEFAULT_ADDR, DEFAULT_DATABASE_URL};
use server::accounts;
use server::formats::{self, Format};
use server::startup;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "reformdash",
    version,
    about = "Track administrative-reform models, where they run and how satisfied citizens are."
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Args, Clone)]
struct DbArgs {
    /// Database: `sqlite://path/file.db` (created on first use) or `postgres://user:pass@host/db`.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    database_url: String,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default). Migrates, and loads the demo province and its
    /// accounts into an empty database (unless `--no-demo`).
    Serve(ServeArgs),
    /// Bring the database schema up to date, then exit.
    Migrate,
    /// Load the Thanh Hóa demo province (rows already present are left as they are) and its
    /// accounts, their passwords written to a file beside the database.
    Demo,
    /// Import units, models, adoptions and surveys from a folder of CSV files or an .xlsx workbook.
    ///
    /// All or nothing: any bad row and nothing is written; every problem is printed as
    /// `file:line: column: reason`.
    Import {
        /// A folder with any of units.csv, models.csv, adoptions.csv, surveys.csv, or an .xlsx
        /// workbook with sheets of those names.
        source: PathBuf,
        /// Replace rows whose key exists with different values (old values go to the audit log).
        #[arg(long)]
        update: bool,
    },
    /// Export figures or tables.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Accounts: add, new password, disable, enable, list. Passwords are read from a prompt
    /// (or one line of standard input), never from an argument.
    #[command(subcommand)]
    User(UserCommand),
    /// Personal API tokens for `POST /api/v1/surveys`.
    #[command(subcommand)]
    Token(TokenCommand),
    /// Write a realistic random dataset in the import format into a folder (then `reformdash
    /// import` it): varied district sizes, adoption spreading over time, 20–400 ballots per
    /// report, satisfaction mostly 80–99%, missing reports, the 2025 merger of communes.
    Generate(GenerateArgs),
    /// A consistent copy of a live SQLite database (while the server runs) into FILE.
    ///
    /// Restore by stopping the server and putting FILE in place of the database file (or
    /// pointing DATABASE_URL at it). For PostgreSQL use `pg_dump` / `pg_restore`.
    Backup {
        /// The new file; it must not exist yet.
        file: PathBuf,
    },
}

#[derive(Args)]
struct GenerateArgs {
    /// The folder to write units.csv, models.csv, adoptions.csv and surveys.csv into.
    #[arg(long)]
    out: PathBuf,
    /// Communes before the 2025 reorganisation, over all districts.
    #[arg(long, default_value_t = 540, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    communes: u32,
    #[arg(long, default_value_t = 27, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    districts: u32,
    /// Provinces before the 2025 reorganisation.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    provinces: u32,
    /// Provinces after it, the others merged into them [default: as the country's 63 → 34].
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000))]
    provinces_after: Option<u32>,
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=100))]
    models: u32,
    /// Years of monthly counts, ending with December 2025.
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=50))]
    years: u32,
    /// The same seed gives the same files.
    #[arg(long, default_value_t = 1)]
    seed: u64,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an account. The first admin is made this way.
    Add {
        /// The sign-in name: ASCII letters, digits, `.`, `_`, `-` (stored in lower case).
        name: String,
        #[arg(long, value_parser = parse_role)]
        role: app::domain::access::Role,
        /// The unit a staff member enters figures for (a district's staff: also its communes).
        #[arg(long)]
        unit: Option<String>,
        /// The name shown in the header and the history (default: the sign-in name).
        #[arg(long, default_value = "")]
        display_name: String,
    },
    /// Set a new password; the user's sessions end.
    Passwd { name: String },
    /// Disable an account: its sessions end and its tokens stop working.
    Disable { name: String },
    /// Enable a disabled account again.
    Enable { name: String },
    /// Every account: name, role, unit, state, display name (tab-separated).
    List,
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token for a user and print it (the only time it is shown).
    Create {
        /// The token's name, e.g. the software that will use it.
        name: String,
        #[arg(long)]
        user: String,
        /// Its last day: a date (`2027-06-30`, through that day in Vietnam) or a number of
        /// days (`90d`). Without it the token works until revoked.
        #[arg(long, default_value = "")]
        expires: String,
    },
    /// A user's tokens not revoked: name, created, last used, last day (tab-separated).
    List {
        #[arg(long)]
        user: String,
    },
    /// Revoke a user's token by its name.
    Revoke {
        name: String,
        #[arg(long)]
        user: String,
    },
}

fn parse_role(s: &str) -> Result<app::domain::access::Role, String> {
    s.parse()
}

/// Parser too, so that a bare `reformdash` can fill it from defaults and the environment.
#[derive(Parser)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "REFORMDASH_ADDR", default_value = DEFAULT_ADDR)]
    addr: SocketAddr,
    /// Folder of the built site (pkg/ with the wasm bundle and CSS, plus public assets).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    site_root: PathBuf,
    /// Seconds a request may take before it gets 408.
    #[arg(long, env = "REFORMDASH_REQUEST_TIMEOUT", default_value_t = Limits::default().request_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    request_timeout: u64,
    /// Downloads and charts computed or streamed at once (more wait their turn).
    #[arg(long, env = "REFORMDASH_HEAVY_CONCURRENCY", default_value_t = Limits::default().heavy_concurrency,
          value_parser = parse_concurrency)]
    heavy_concurrency: usize,
    /// Seconds a response may wait for a client that reads nothing before the connection closes.
    #[arg(long, env = "REFORMDASH_SEND_TIMEOUT", default_value_t = Limits::default().send_timeout.as_secs(),
          value_parser = clap::value_parser!(u64).range(1..=3600))]
    send_timeout: u64,
    /// Connections held at once; past it a new one is answered 503 and closed.
    #[arg(long, env = "REFORMDASH_MAX_CONNECTIONS", default_value_t = Limits::default().connections.total as u32,
          value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    max_connections: u32,
    /// Connections one address may hold at once (0: no cap, e.g. behind a proxy); past it a
    /// new one is answered 429 and closed.
    #[arg(long, env = "REFORMDASH_MAX_CONNECTIONS_PER_ADDRESS", default_value_t = Limits::default().connections.per_address as u32,
          value_parser = clap::value_parser!(u32).range(0..=1_000_000))]
    max_connections_per_address: u32,
    /// Start an empty database empty: no demo province, no demo accounts (make the first
    /// admin with `reformdash user add NAME --role admin`).
    #[arg(long, env = "REFORMDASH_NO_DEMO", value_parser = clap::builder::BoolishValueParser::new())]
    no_demo: bool,
}

fn parse_concurrency(s: &str) -> Result<usize, String> {
    match s.parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!("'{s}' is not a number from 1 to 1024")),
    }
}

#[derive(Subcommand)]
enum ExportCommand {
    /// The district summary of the interchange contract.
    DistrictSummary {
        /// A year (2024), quarter (2024-Q2) or month (2024-05).
        #[arg(long)]
        period: String,
        /// Only this model's adoptions and surveys.
        #[arg(long)]
        model: Option<String>,
        /// Only this province's districts.
        #[arg(long)]
        province: Option<String>,
        #[arg(long, value_enum, default_value = "csv")]
        format: Format,
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// One raw table in the import format (units, models, adoptions or surveys).
    Table {
        #[arg(value_parser = formats::TABLE_NAMES)]
        name: String,
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// All four raw tables as CSV files into a folder, ready for `reformdash import`.
    Tables {
        /// The folder to write units.csv, models.csv, adoptions.csv and surveys.csv into.
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::Problems(problems)) => {
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!("error: {} problem(s); nothing was imported", problems.len());
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Every way a command can fail; `main` prints it once, as `error: …`.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Startup(#[from] startup::StartupError),
    #[error(transparent)]
    Filter(#[from] app::ssr::figures::QueryError),
    #[error("database: {0}")]
    Db(#[from] sea_orm::DbErr),
    #[error(transparent)]
    Format(#[from] formats::FormatError),
    #[error(transparent)]
    Tables(#[from] formats::TableExportError),
    #[error(transparent)]
    Demo(#[from] server::demo::DemoError),
    #[error(transparent)]
    Generate(#[from] server::generate::GenerateError),
    /// A file or folder that cannot be read or written, with its path.
    #[error("{0}")]
    Io(String),
    /// Rows that break the import contract, each `file:line: column: reason`.
    #[error("{} problem(s)", .0.len())]
    Problems(Vec<app::ssr::import::Problem>),
    #[error("{0}; nothing was imported")]
    ImportDb(sea_orm::DbErr),
    #[error(transparent)]
    Account(#[from] server::accounts::AccountError),
    /// A write the rules refused as a whole (not one row's problem).
    #[error("{0}; nothing was written")]
    Refused(String),
}

/// Runs the command, then closes the pool it opened: SQLite's last connection to close
/// checkpoints and removes the write-ahead log, which a process that exits with its
/// connections open leaves behind (after a large import, a file as large as the database,
/// until some later process is the last to close it).
async fn run(cli: Cli) -> Result<(), CliError> {
    let opened = Opened::default();
    let result = command(cli, &opened).await;
    opened.close().await;
    result
}

/// The pools a command opened (the server's too, closed after its last request).
#[derive(Default)]
struct Opened(std::sync::Mutex<Vec<app::ssr::Db>>);

impl Opened {
    async fn open(&self, url: &str) -> Result<app::ssr::Db, startup::StartupError> {
        let db = startup::open_database(url).await?;
        self.keep(&db);
        Ok(db)
    }

    fn keep(&self, db: &app::ssr::Db) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(db.clone());
    }

    async fn close(&self) {
        let pools = std::mem::take(&mut *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        for db in pools {
            if let Err(e) = db.close().await {
                tracing::warn!("closing the database: {e}");
            }
        }
    }
}

async fn command(cli: Cli, opened: &Opened) -> Result<(), CliError> {
    let url = cli.db.database_url;
    // No subcommand means `serve` with its defaults (and the environment's settings).
    let command = cli.command.unwrap_or_else(|| Command::Serve(ServeArgs::parse_from(["reformdash"])));
    let open = || opened.open(&url);
    match command {
        Command::Serve(args) => {
            let limits = Limits {
                request_timeout: std::time::Duration::from_secs(args.request_timeout),
                heavy_concurrency: args.heavy_concurrency,
                send_timeout: std::time::Duration::from_secs(args.send_timeout),
                connections: server::connections::ConnectionCaps {
                    total: args.max_connections as usize,
                    per_address: args.max_connections_per_address as usize,
                },
            };
            let demo = if args.no_demo { Demo::Off } else { Demo::Load { passwords: demo_passwords_file(&url) } };
            let settings = Settings { database_url: url.clone(), addr: args.addr, site_root: args.site_root, limits, demo };
            let state = startup::prepare(&settings).await?;
            let listener = tokio::net::TcpListener::bind(settings.addr)
                .await
                .map_err(|e| CliError::Io(format!("cannot listen on {}: {e}", settings.addr)))?;
            let local = listener.local_addr().map_err(|e| CliError::Io(e.to_string()))?;
            let shutdown = startup::shutdown_signal();
            println!("reformdash is serving http://{local} (database: {})", redact(&url));
            opened.keep(&state.db);
            startup::serve(listener, startup::router(state, &settings.limits), settings.limits, shutdown)
                .await
                .map_err(|e| CliError::Io(e.to_string()))
        }
        Command::Migrate => {
            open().await?;
            println!("database schema is up to date");
            Ok(())
        }
        Command::Demo => {
            let db = open().await?;
            let report = server::demo::load(&db).await?;
            print!("demo province loaded\n{report}");
            let passwords = demo_passwords_file(&url);
            accounts::announce(&accounts::create_demo_accounts(&db, &passwords).await?, &passwords);
            Ok(())
        }
        Command::User(command) => {
            let db = open().await?;
            match command {
                UserCommand::Add { name, role, unit, display_name } => {
                    let password = accounts::read_password()?;
                    let new = app::ssr::writes::users::NewUser { username: name.clone(), display_name, role, unit_code: unit, password };
                    accounts::add(&db, new).await?;
                    println!("user {} added ({role})", name.to_lowercase());
                }
                UserCommand::Passwd { name } => {
                    accounts::set_password(&db, &name, accounts::read_password()?).await?;
                    println!("password of {name} changed; their sessions have ended");
                }
                UserCommand::Disable { name } => {
                    accounts::set_disabled(&db, &name, true).await?;
                    println!("{name} disabled");
                }
                UserCommand::Enable { name } => {
                    accounts::set_disabled(&db, &name, false).await?;
                    println!("{name} enabled");
                }
                UserCommand::List => print!("{}", accounts::list(&db).await?),
            }
            Ok(())
        }
        Command::Generate(a) => {
            let shape = server::generate::Shape {
                provinces: a.provinces,
                provinces_after: a.provinces_after.unwrap_or_else(|| server::generate::provinces_after(a.provinces)),
                districts: a.districts,
                communes: a.communes,
                models: a.models,
                years: a.years,
                seed: a.seed,
            };
            let bar = indicatif::ProgressBar::new(u64::from(a.communes));
            bar.set_style(
                indicatif::ProgressStyle::with_template("communes [{bar:30}] {pos}/{len}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            let made = server::generate::generate(&shape, &a.out, &|done, _| bar.set_position(done));
            bar.finish_and_clear();
            let made = made?;
            println!(
                "{} units, {} models, {} adoptions, {} surveys written to {}",
                made.units,
                a.models,
                made.adoptions,
                made.surveys,
                a.out.display()
            );
            Ok(())
        }
        Command::Backup { file } => {
            let db = open().await?;
            server::backup::sqlite(&db, &file).await.map_err(|e| CliError::Io(e.to_string()))?;
            println!("backup written to {}", file.display());
            Ok(())
        }
        Command::Token(TokenCommand::Create { name, user, expires }) => {
            let token = accounts::create_token(&open().await?, &user, &name, &expires).await?;
            println!("{token}");
            eprintln!("token `{name}` of {user} created; it is shown only now (send it as `Authorization: Bearer …`)");
            Ok(())
        }
        Command::Token(TokenCommand::List { user }) => {
            print!("{}", accounts::list_tokens(&open().await?, &user).await?);
            Ok(())
        }
        Command::Token(TokenCommand::Revoke { name, user }) => {
            accounts::revoke_token(&open().await?, &user, &name).await?;
            println!("token `{name}` of {user} revoked");
            Ok(())
        }
        Command::Import { source, update } => {
            let set = server::sources::read(&source).map_err(CliError::Io)?;
            let db = open().await?;
            let bar = indicatif::ProgressBar::new(0);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg:>10} [{bar:30}] {pos}/{len}")
                    .expect("valid template")
                    .progress_chars("=> "),
            );
            let progress = |table: &str, done: u64, total: u64| {
                bar.set_message(table.to_string());
                bar.set_length(total);
                bar.set_position(done);
            };
            let result =
                import::import(&db, set, ImportOptions { update }, &format!("cli:{}", whoami()), &progress).await;
            bar.finish_and_clear();
            let report = result.map_err(|e| match e {
                ImportError::Invalid(problems) => CliError::Problems(problems),
                ImportError::Db(e) => CliError::ImportDb(e),
                ImportError::Refused(why) => CliError::Refused(why),
            })?;
            print!("{report}");
            Ok(())
        }
        Command::Export(ExportCommand::DistrictSummary { period, model, province, format, out }) => {
            let db = open().await?;
            let filter = app::ssr::figures::resolve_filter(&db, Some(&period), model, province).await?;
            let rows = app::ssr::figures::district_summary(&db, &filter).await?;
            write_out(out.as_deref(), &formats::district_summary(&rows, format)?)
        }
        Command::Export(ExportCommand::Table { name, out }) => {
            let db = open().await?;
            write_table(&db, &name, out.as_deref()).await
        }
        Command::Export(ExportCommand::Tables { out }) => {
            let db = open().await?;
            std::fs::create_dir_all(&out).map_err(|e| CliError::Io(format!("{}: {e}", out.display())))?;
            for name in formats::TABLE_NAMES {
                write_table(&db, name, Some(&out.join(format!("{name}.csv")))).await?;
            }
            Ok(())
        }
    }
}

/// One raw table into a file or standard output, written as it is read.
async fn write_table(db: &app::ssr::Db, name: &str, out: Option<&std::path::Path>) -> Result<(), CliError> {
    let shown = out.map_or("stdout".to_string(), |p| p.display().to_string());
    let mut sink: Box<dyn Write> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| CliError::Io(format!("{}: {e}", path.display())))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    };
    let known = formats::write_table_csv(db, name, &mut sink).await.map_err(|e| match e {
        formats::TableExportError::Io(e) => CliError::Io(format!("{shown}: {e}")),
        e => e.into(),
    })?;
    if !known {
        return Err(CliError::Io(format!("unknown table `{name}`")));
    }
    sink.flush().map_err(|e| CliError::Io(format!("{shown}: {e}")))
}

fn write_out(out: Option<&std::path::Path>, bytes: &[u8]) -> Result<(), CliError> {
    match out {
        Some(path) => std::fs::write(path, bytes).map_err(|e| CliError::Io(format!("{}: {e}", path.display()))),
        None => std::io::stdout().write_all(bytes).map_err(|e| CliError::Io(format!("stdout: {e}"))),
    }
}

/// Who ran the import, for the audit log.
fn whoami() -> String {
    std::env::var("USER").or_else(|_| std::env::var("LOGNAME")).unwrap_or_else(|_| "unknown".into())
}

/// The URL without its password, for the start-up line.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}{}:***{}", &url[..scheme + 3], user, &url[at..])
        }
        _ => url.to_string(),
    }
}
