//! `redress`: the after-sales dispute platform in one binary.

/// A line for whoever watches the process start. Unlike `println!` it never panics: a server
/// whose stdout was closed (its supervisor stopped reading) keeps serving.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

mod backup;
mod bench;
mod config;
mod demo;
mod dossier;
mod import;

use anyhow::Context;
use clap::{Parser, Subcommand};
use config::Settings;
use redress_app::App;
use redress_app::clock::{ShiftedClock, SystemClock};
use std::sync::Arc;

#[derive(Parser)]
#[command(name = "redress", version, about = "Redress: after-sales disputes (售后维权), done right.")]
struct Cli {
    #[command(flatten)]
    settings: config::Flags,
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Serve the API (and run the background worker in the same process). The default command.
    Serve {
        /// Seed demo data (merchants, buyers, an agent, an admin, orders, cases) into an empty database.
        #[arg(long)]
        demo: bool,
    },
    /// Run the background work (deadline sweeper, refund executor) without serving.
    Worker,
    /// Apply database migrations and exit.
    Migrate,
    /// Seed demo data into the database (skipped when it is already there).
    Demo,
    /// Create an account (buyer, merchant staff, agent or admin). The password is read from the
    /// first line of standard input, so it never shows in the process list or shell history.
    CreateUser {
        #[arg(long)]
        login: String,
        /// Name shown to other parties.
        #[arg(long)]
        name: String,
        /// buyer | merchant | agent | admin
        #[arg(long)]
        role: String,
        /// The shop of a merchant account.
        #[arg(long)]
        merchant: Option<String>,
        #[arg(long)]
        phone: Option<String>,
        #[arg(long)]
        address: Option<String>,
        /// Where notifications are emailed.
        #[arg(long)]
        email: Option<String>,
    },
    /// The business calendar (public holidays and 调休 workdays, Asia/Shanghai).
    Calendar {
        #[command(subcommand)]
        command: CalendarCmd,
    },
    /// Export a case's dossier (index.html, manifest.json, evidence files) as a ZIP.
    Export {
        #[command(subcommand)]
        what: dossier::Export,
    },
    /// Import data from files (orders from a merchant's own system).
    Import {
        #[command(subcommand)]
        what: import::Import,
    },
    /// Check a dossier ZIP: the platform's seal, the hash chain, every file's hash, files added
    /// or removed. Exit 1 and name what changed when it is not intact. Needs no database.
    Verify {
        /// The dossier ZIP.
        file: std::path::PathBuf,
        /// The platform's public key (64 hex digits, from `GET /api/v1/dossier-key`): the seal must
        /// be made with it. Without it the dossier can only be found consistent (exit code 3), and
        /// the key the seal names is printed for you to compare.
        #[arg(long, value_name = "HEX", value_parser = dossier::platform_key)]
        key: Option<String>,
    },
    /// Copy the embedded SQLite database and the local evidence files into DEST (a new or empty
    /// directory), consistently, while the server runs.
    Backup { dest: std::path::PathBuf },
    /// Bring a backup made by `redress backup` back into the data directory. Refuses to replace
    /// an existing database unless --force (stop every `redress` process using it first).
    Restore {
        src: std::path::PathBuf,
        #[arg(long)]
        force: bool,
    },
    /// Build the search documents of the cases that have none (filed before search existed);
    /// `--all` rebuilds every case's. Safe while the server runs.
    Reindex {
        #[arg(long)]
        all: bool,
    },
    /// Benchmark helpers: a large generated data set, the deadline sweep over it.
    #[command(hide = true)]
    Bench {
        #[command(subcommand)]
        command: bench::Bench,
    },
    /// Recompute the hash chain of a case's events and say whether it is intact.
    VerifyChain {
        /// The case id.
        case_id: String,
    },
}

#[derive(Subcommand)]
enum CalendarCmd {
    /// Add or replace years from a JSON file shaped like crates/law/data/calendar-cn.json.
    Import { file: std::path::PathBuf },
    /// Print the calendar in force as JSON.
    Show,
}

/// mimalloc: with glibc's malloc, allocation was an eighth to a fifth of the CPU of a case
/// detail and of the deadline sweep (docs/performance.md, "The allocator").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", causes(&e));
            std::process::ExitCode::FAILURE
        }
    }
}

/// The chain of causes, one line: what failed and why, without a backtrace. A cause whose words
/// its effect already says is said once (a database error repeats its message as its source).
fn causes(error: &anyhow::Error) -> String {
    let mut told: Vec<String> = Vec::new();
    for cause in error.chain().map(ToString::to_string) {
        if !told.last().is_some_and(|effect| effect.ends_with(&cause)) {
            told.push(cause);
        }
    }
    told.join(": ")
}

async fn run() -> anyhow::Result<()> {
    rustls::crypto::ring::default_provider().install_default().ok();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    // Checking a dossier needs nothing of this installation.
    if let Some(Cmd::Verify { file, key }) = &cli.command {
        std::process::exit(dossier::verify(file, key.as_deref())?);
    }
    let settings = Settings::resolve(cli.settings)?;
    match cli.command.unwrap_or(Cmd::Serve { demo: false }) {
        Cmd::Verify { .. } => unreachable!("handled above"),
        Cmd::Export { what } => {
            let app = open(&settings).await?;
            dossier::export(&app, what).await?;
        }
        Cmd::Import { what } => {
            let app = open(&settings).await?;
            let code = import::run(&app, what).await?;
            if code != 0 {
                std::process::exit(code);
            }
        }
        Cmd::Backup { dest } => backup::backup(&settings, &dest).await?,
        Cmd::Restore { src, force } => backup::restore(&settings, &src, force).await?,
        Cmd::Migrate => {
            redress_store::migrate(&settings.database_url).await?;
            println!("migrations applied to {}", settings.database_url_redacted());
            // Cases filed before search existed get their documents now.
            let app = open(&settings).await?;
            let indexed = app.reindex_search(false).await?;
            println!("search documents built: {indexed}");
            let scoped = app.add_scope_words().await?;
            if scoped > 0 {
                println!("search documents given scope words: {scoped}");
            }
        }
        Cmd::Reindex { all } => {
            let indexed = open(&settings).await?.reindex_search(all).await?;
            println!("search documents built: {indexed}");
        }
        Cmd::Serve { demo } => serve(&settings, demo).await?,
        Cmd::Bench { command } => bench::run(open(&settings).await?, command, &settings.database_url).await?,
        Cmd::Worker => {
            let app = open(&settings).await?;
            println!("redress worker running against {} (Ctrl-C to stop)", settings.database_url_redacted());
            drill_lease(mailing(redress_worker::Worker::new(app), &settings)?)?
                .run(settings.worker_interval, shutdown_signal())
                .await;
        }
        Cmd::Demo => {
            let app = open(&settings).await?;
            demo::seed(&app).await?;
            demo::print_logins(&app).await?;
        }
        Cmd::CreateUser { login, name, role, merchant, phone, address, email } => {
            let role = redress_app::Role::parse(&role).context("--role: buyer, merchant, agent or admin")?;
            let merchant_id = merchant.map(|m| m.parse()).transpose().context("--merchant: not an id")?;
            let mut password = String::new();
            std::io::stdin().read_line(&mut password).context("read the password from standard input")?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let app = open(&settings).await?;
            let new = redress_app::users::NewUser {
                login,
                password,
                display_name: name,
                role,
                merchant_id,
                phone,
                address,
                email,
            };
            let user = app.create_user(None, new).await.map_err(|e| anyhow::anyhow!("{e}"))?;
            println!("created {} {} ({})", user.role.as_str(), user.login, user.id);
        }
        Cmd::Calendar { command } => {
            let app = open(&settings).await?;
            match command {
                CalendarCmd::Import { file } => {
                    let text = std::fs::read_to_string(&file).with_context(|| format!("read {}", file.display()))?;
                    let imported = app.import_calendar(None, &text).await.map_err(|e| anyhow::anyhow!("{e}"))?;
                    println!(
                        "calendar years imported: {:?}; deadlines recounted: {}; regulator clocks recounted: {}",
                        imported.years, imported.recounted_deadlines, imported.recounted_regulator_clocks
                    );
                }
                CalendarCmd::Show => {
                    let file = app.calendar_file();
                    // On standard error: standard output stays a file `calendar import` accepts.
                    for w in &file.provisional_years {
                        let told = |lang| redress_text::law::provisional_year(lang, w.year);
                        eprintln!("{}\n{}", told(redress_text::Lang::En), told(redress_text::Lang::Zh));
                    }
                    println!("{}", serde_json::to_string_pretty(&file)?)
                }
            }
        }
        Cmd::VerifyChain { case_id } => {
            let app = open(&settings).await?;
            let id = case_id.parse().context("not a case id")?;
            let verdict = match app.verify_chain(id).await {
                Err(redress_app::AppError::NotFound) => anyhow::bail!("there is no case {id} in this database"),
                other => other?,
            };
            match verdict {
                Ok(n) => println!("case {id}: chain intact ({n} events)"),
                Err(broken) => {
                    println!("case {id}: chain BROKEN: {broken}");
                    std::process::exit(1);
                }
            }
        }
    }
    Ok(())
}

/// Opens the database (migrating an embedded SQLite database on first run) and builds the app.
async fn open(settings: &Settings) -> anyhow::Result<App> {
    if settings.is_sqlite() {
        settings.ensure_data_dir()?;
        redress_store::migrate(&settings.database_url).await.context("migrate the embedded database")?;
    }
    let store = redress_store::connect(&settings.database_url)
        .await
        .with_context(|| format!("open {}", settings.database_url_redacted()))?;
    let clock: Arc<dyn redress_app::clock::Clock> = match settings.clock_start {
        Some(start) => {
            tracing::warn!(%start, "the clock is shifted (--clock-start): testing and rehearsals only");
            Arc::new(ShiftedClock::starting_at(start))
        }
        None => Arc::new(SystemClock),
    };
    let app = App::from(redress_app::AppParts {
        evidence_limits: settings.evidence_limits,
        webhooks: Arc::new(settings.webhooks.clone()),
        ..redress_app::AppParts::new(store, clock, Arc::new(settings.blobs()?))
    });
    app.ensure_policy_with(&settings.initial_policy)
        .await
        .context("the database is not migrated: run `redress migrate`")?;
    app.load_calendar().await.context("load the business calendar")?;
    Ok(app)
}

/// `REDRESS_DRILL_LEASE_SECS`: for crash drills only, a shorter lease on claimed work.
/// The worker with the configured SMTP server, if any.
fn mailing(worker: redress_worker::Worker, settings: &config::Settings) -> anyhow::Result<redress_worker::Worker> {
    Ok(match &settings.smtp {
        Some(smtp) => worker.with_mailer(redress_worker::email::Mailer::new(smtp).context("configure SMTP")?),
        None => worker,
    })
}

fn drill_lease(worker: redress_worker::Worker) -> anyhow::Result<redress_worker::Worker> {
    match std::env::var("REDRESS_DRILL_LEASE_SECS") {
        Ok(secs) => {
            let secs: i64 = secs.trim().parse().context("REDRESS_DRILL_LEASE_SECS: whole seconds")?;
            Ok(worker.with_lease(jiff::SignedDuration::from_secs(secs)))
        }
        Err(_) => Ok(worker),
    }
}

async fn serve(settings: &Settings, demo: bool) -> anyhow::Result<()> {
    let app = open(settings).await?;
    if demo {
        demo::seed(&app).await?;
    }
    let listener = tokio::net::TcpListener::bind(&settings.listen)
        .await
        .with_context(|| format!("listen on {}", settings.listen))?;
    let address = listener.local_addr()?;
    say!("Redress is serving on http://{address}/");
    say!("  database: {}", settings.database_url_redacted());
    say!("  evidence: {}", settings.blobs_description());
    say!("  API:      http://{address}/api/v1/  (health: http://{address}/health)");
    say!("  pages:    http://{address}/  (sign in in a browser)");
    if demo {
        demo::print_logins(&app).await?;
    }
    if let Some(token) = &settings.metrics_token {
        redress_web::set_metrics_token(token);
    }
    // The segmenter's dictionary loads off the request path; cases filed before search existed
    // (an embedded database migrated just now) get their documents in the background, and
    // documents written before scope words existed get those (searches work meanwhile).
    let indexing = app.clone();
    tokio::spawn(async move {
        let _ = tokio::task::spawn_blocking(redress_app::search::warm_up).await;
        match indexing.reindex_search(false).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(cases = n, "search documents built"),
            Err(e) => tracing::warn!(error = %e, "building search documents failed; run `redress reindex`"),
        }
        if let Err(e) = indexing.add_scope_words().await {
            tracing::warn!(error = %e, "adding scope words failed; run `redress migrate`");
        }
    });
    let worker = drill_lease(mailing(redress_worker::Worker::new(app.clone()), settings)?)?;
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let mut worker_stop = stop_rx.clone();
    let worker = tokio::spawn(worker.run(settings.worker_interval, async move {
        let _ = worker_stop.wait_for(|s| *s).await;
    }));
    redress_web::serve_with(listener, app, settings.limits.clone(), shutdown_signal()).await?;
    let _ = stop_tx.send(true);
    let _ = worker.await;
    Ok(())
}

async fn shutdown_signal() {
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("shutting down");
}

#[cfg(test)]
mod tests {
    /// An error that says its source's words too (as sqlx's database errors do).
    #[derive(Debug)]
    struct Repeating(std::io::Error);

    impl std::fmt::Display for Repeating {
        fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            write!(f, "error returned from database: {}", self.0)
        }
    }

    impl std::error::Error for Repeating {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    /// Trial (helper-44): "relation … does not exist" was printed twice after the advice.
    #[test]
    fn a_cause_is_said_once() {
        let missing = std::io::Error::other("relation \"policy_versions\" does not exist");
        let error =
            anyhow::Error::new(Repeating(missing)).context("the database is not migrated: run `redress migrate`");
        assert_eq!(
            super::causes(&error),
            "the database is not migrated: run `redress migrate`: error returned from database: relation \"policy_versions\" does not exist"
        );
        let plain = anyhow::anyhow!("no such file").context("read the calendar");
        assert_eq!(super::causes(&plain), "read the calendar: no such file");
    }
}
