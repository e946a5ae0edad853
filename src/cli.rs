//! The `palier` command line.

use clap::{Parser, Subcommand};

use crate::app::{self, Application, StartError};
use crate::clock::Clock;
use crate::config::{CommonArgs, Config, ServeArgs};
use crate::db::{self, buildings as bdb, people as pdb};
use crate::domain::types::{Email, NewPassword, PersonName, text};

#[derive(Parser, Debug)]
#[command(
    name = "palier",
    version,
    about = "Palier: the common areas of residential buildings, in one shared place"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Log lines as text for people, or one JSON object per line for log collectors.
    #[arg(
        long,
        global = true,
        env = "PALIER_LOG_FORMAT",
        value_enum,
        default_value = "text"
    )]
    pub log_format: LogFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the web server (and, unless --no-worker, the job worker).
    Serve(ServeArgs),
    /// Seed the demo agency, buildings and accounts, then serve.
    Demo(ServeArgs),
    /// Run the job worker alone (e-mails, reminders, digests).
    Worker(CommonArgs),
    /// Apply database migrations and exit.
    Migrate(CommonArgs),
    /// Administration of agencies and managers.
    Admin {
        #[command(flatten)]
        common: CommonArgs,
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Import data from the agency's software (CSV).
    Import {
        #[command(flatten)]
        common: CommonArgs,
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Online backup of a SQLite deployment (database and files) into one archive, while
    /// the server runs. For PostgreSQL use pg_dump (README).
    Backup {
        #[command(flatten)]
        common: CommonArgs,
        /// Archive to write (tar), replaced only once complete.
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup archive into an empty data directory.
    Restore {
        #[command(flatten)]
        common: CommonArgs,
        /// Archive written by `palier backup`.
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// Answers by e-mail (N6).
    Mail {
        #[command(flatten)]
        common: CommonArgs,
        #[command(subcommand)]
        command: MailCommand,
    },
    /// Inspect and retry queued jobs.
    Jobs {
        #[command(flatten)]
        common: CommonArgs,
        #[command(subcommand)]
        command: JobsCommand,
    },
}

#[derive(Subcommand, Debug)]
pub enum AdminCommand {
    /// Create an agency (syndic or landlord company).
    CreateAgency {
        #[arg(long)]
        name: String,
    },
    /// Create a manager account in an agency (by agency name or id).
    CreateManager {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, env = "PALIER_MANAGER_PASSWORD")]
        password: String,
    },
    /// Create a building in an agency; prints its registration code.
    CreateBuilding {
        #[arg(long)]
        agency: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        address: String,
        #[arg(long, default_value_t = 0)]
        lots: i64,
    },
    /// Register an insurer shared by every agency (C3): name, claims e-mail, phone.
    CreateInsurer {
        #[arg(long)]
        name: String,
        #[arg(long)]
        email: String,
        #[arg(long, default_value = "")]
        phone: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum ImportCommand {
    /// Import the agency's providers (keyed on e-mail: re-running updates).
    Providers {
        file: std::path::PathBuf,
        /// Agency name or id.
        #[arg(long)]
        agency: String,
    },
    /// Import buildings, lots and people (B7; keyed on building name + address, lot label
    /// and e-mail: re-running changes nothing).
    Portfolio {
        file: std::path::PathBuf,
        /// Agency name or id.
        #[arg(long)]
        agency: String,
        /// Check and report without writing anything.
        #[arg(long)]
        dry_run: bool,
        /// E-mail an invitation to the people who have no password yet.
        #[arg(long)]
        invite: bool,
    },
}

/// A one-line progress bar on standard error.
fn progress(done: usize, total: usize) {
    let width = 30;
    let filled = (done * width)
        .checked_div(total)
        .unwrap_or(width)
        .min(width);
    eprint!(
        "\r[{}{}] {done}/{total}",
        "#".repeat(filled),
        " ".repeat(width - filled)
    );
    if done == total {
        eprintln!();
    }
}

#[derive(Subcommand, Debug)]
pub enum MailCommand {
    /// Read one RFC 5322 message on standard input (a Postfix or Exim pipe transport) and
    /// act on it. Exits 0 when it was handled or deliberately ignored, 75 (temporary
    /// failure) when the database is unavailable, so the mail server delivers it again.
    Receive,
}

#[derive(Subcommand, Debug)]
pub enum JobsCommand {
    /// List jobs (pending by default).
    List {
        #[arg(long)]
        dead: bool,
    },
    /// Put a dead job back in the queue.
    Retry { id: String },
}

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    App(#[from] crate::domain::AppError),
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Backup(#[from] crate::backup::BackupError),
    /// Try again later (EX_TEMPFAIL for mail servers).
    #[error("temporary failure: {0}")]
    TempFail(String),
}

impl CliError {
    /// The process exit status: 75 (EX_TEMPFAIL) asks a mail server to retry.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::TempFail(_) => 75,
            _ => 1,
        }
    }
}

/// `palier mail receive`: one message from standard input.
async fn mail_receive(common: &CommonArgs) -> Result<(), CliError> {
    use std::io::Read;
    let limit = crate::domain::mail_in::MAX_MESSAGE_BYTES as u64 + 1;
    let mut raw = Vec::new();
    std::io::stdin()
        .lock()
        .take(limit)
        .read_to_end(&mut raw)
        .map_err(|e| CliError::TempFail(format!("standard input: {e}")))?;
    let state = app::state(Config::from_args(common, false), Clock::system())
        .await
        .map_err(|e| CliError::TempFail(e.to_string()))?;
    match crate::domain::mail_in::receive(&state, &raw).await {
        Ok(outcome) => {
            println!("{}", outcome.summary());
            Ok(())
        }
        Err(
            e @ (crate::domain::AppError::Db(_)
            | crate::domain::AppError::Busy
            | crate::domain::AppError::Internal(_)),
        ) => Err(CliError::TempFail(e.to_string())),
        Err(e) => {
            tracing::warn!(error = %e, "received message not handled");
            println!("ignored: {e}");
            Ok(())
        }
    }
}

impl From<sqlx::Error> for CliError {
    fn from(e: sqlx::Error) -> Self {
        CliError::App(e.into())
    }
}

async fn serve(args: ServeArgs, demo: bool, log_format: LogFormat) -> Result<(), CliError> {
    let stop = app::shutdown_signal();
    let config = Config::from_args(&args.common, !args.no_worker);
    let app = Application::build(config, Clock::system(), &args.listen).await?;
    if demo {
        let state = app.state();
        crate::demo::seed(&state).await?;
        println!("{}", crate::demo::summary(&state).await?);
    } else if log_format == LogFormat::Json {
        // Log collectors read stdout: every line there must be a JSON object.
        tracing::info!(address = %app.address(), "listening");
    } else {
        println!("Palier listening on http://{}", app.address());
    }
    app.run_until(stop).await?;
    Ok(())
}

async fn agency_id(state: &app::AppState, name_or_id: &str) -> Result<String, CliError> {
    if let Some(id) = bdb::agency_by_name(&state.db.pool, name_or_id).await? {
        return Ok(id);
    }
    match bdb::agency_name(&state.db.pool, name_or_id).await? {
        Some(_) => Ok(name_or_id.to_string()),
        None => Err(CliError::Usage(format!("no agency named {name_or_id}"))),
    }
}

fn usage(e: crate::domain::Invalid) -> CliError {
    CliError::Usage(format!(
        "invalid {}: {}",
        e.field,
        crate::i18n::Lang::En.t(e.key)
    ))
}

pub async fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Serve(args) => serve(args, false, cli.log_format).await,
        Command::Demo(args) => serve(args, true, cli.log_format).await,
        Command::Backup { common, to } => {
            let summary = crate::backup::backup(&Config::from_args(&common, false), &to).await?;
            println!(
                "backup written to {}: {} bytes, {} files",
                to.display(),
                summary.bytes,
                summary.files
            );
            Ok(())
        }
        Command::Restore { common, from } => {
            let summary = crate::backup::restore(&common.data_dir, &from).await?;
            println!(
                "restored into {}: database {} bytes (integrity ok), {} files",
                common.data_dir.display(),
                summary.bytes,
                summary.files
            );
            Ok(())
        }
        Command::Migrate(common) => {
            app::state(Config::from_args(&common, false), Clock::system()).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Worker(common) => {
            let state = app::state(Config::from_args(&common, true), Clock::system()).await?;
            let (tx, rx) = tokio::sync::watch::channel(false);
            let stop = app::shutdown_signal();
            let worker = tokio::spawn(crate::jobs::run_worker(state, rx));
            stop.await;
            let _ = tx.send(true);
            let _ = worker.await;
            Ok(())
        }
        Command::Admin { common, command } => {
            let state = app::state(Config::from_args(&common, false), Clock::system()).await?;
            let now = state.clock.now_ms();
            match command {
                AdminCommand::CreateAgency { name } => {
                    let name = text("name", &name, 120).map_err(usage)?;
                    if bdb::agency_by_name(&state.db.pool, &name).await?.is_some() {
                        return Err(CliError::Usage(format!("agency {name} already exists")));
                    }
                    let id = db::new_id();
                    bdb::insert_agency(&state.db.pool, &id, &name, now).await?;
                    crate::domain::reports::templates::seed_templates(&state, &id).await?;
                    println!("agency {id} created");
                }
                AdminCommand::CreateManager {
                    agency,
                    email,
                    name,
                    password,
                } => {
                    let agency = agency_id(&state, &agency).await?;
                    let email = Email::parse(&email).map_err(usage)?;
                    let name = PersonName::parse(&name).map_err(usage)?;
                    let password = NewPassword::parse(&password).map_err(usage)?;
                    let person_id = match pdb::by_email(&state.db.pool, email.as_str()).await? {
                        Some(p) => p.id,
                        None => {
                            let id = db::new_id();
                            let hash = crate::auth::password::hash(password.expose().to_string())
                                .await
                                .map_err(crate::domain::AppError::from)?;
                            pdb::insert(
                                &state.db.pool,
                                pdb::NewPerson {
                                    id: &id,
                                    name: name.as_str(),
                                    email: email.as_str(),
                                    password_hash: &hash,
                                    lang: "fr",
                                    is_admin: false,
                                    now,
                                },
                            )
                            .await?;
                            id
                        }
                    };
                    pdb::add_staff(&state.db.pool, &person_id, &agency).await?;
                    println!(
                        "manager {} ({person_id}) added to agency {agency}",
                        email.as_str()
                    );
                }
                AdminCommand::CreateInsurer { name, email, phone } => {
                    let insurer = crate::domain::claims::insurers::create_shared(
                        &state, &name, &email, &phone,
                    )
                    .await
                    .map_err(|e| match e {
                        crate::domain::AppError::Invalid(i) => usage(i),
                        other => CliError::App(other),
                    })?;
                    println!("insurer {} ({}) created", insurer.name, insurer.id);
                }
                AdminCommand::CreateBuilding {
                    agency,
                    name,
                    address,
                    lots,
                } => {
                    let agency = agency_id(&state, &agency).await?;
                    let name = text("name", &name, 120).map_err(usage)?;
                    let address = text("address", &address, 300).map_err(usage)?;
                    let id = db::new_id();
                    let code = crate::auth::secret::new_building_code();
                    bdb::insert(
                        &state.db.pool,
                        bdb::NewBuilding {
                            id: &id,
                            agency_id: &agency,
                            name: &name,
                            address: &address,
                            lots_count: lots.clamp(0, 100_000),
                            code: &code,
                            access_codes: "",
                            contact_name: "",
                            contact_phone: "",
                            now,
                        },
                    )
                    .await?;
                    println!("building {id} created; registration code {code}");
                }
            }
            Ok(())
        }
        Command::Import { common, command } => {
            let state = app::state(Config::from_args(&common, false), Clock::system()).await?;
            match command {
                ImportCommand::Providers { file, agency } => {
                    let agency = agency_id(&state, &agency).await?;
                    let bytes = std::fs::read(&file)
                        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
                    let report = crate::domain::work_orders::providers::import_csv(
                        &state, &agency, &bytes, progress,
                    )
                    .await
                    .map_err(|e| match e {
                        crate::domain::AppError::Invalid(i) => usage(i),
                        other => CliError::App(other),
                    })?;
                    println!(
                        "created {}, updated {}, rejected {}",
                        report.created,
                        report.updated,
                        report.rejected.len()
                    );
                    for (line, reason) in &report.rejected {
                        println!("  line {line}: {reason}");
                    }
                }
                ImportCommand::Portfolio {
                    file,
                    agency,
                    dry_run,
                    invite,
                } => {
                    let agency = agency_id(&state, &agency).await?;
                    let bytes = std::fs::read(&file)
                        .map_err(|e| CliError::Usage(format!("{}: {e}", file.display())))?;
                    let started = std::time::Instant::now();
                    let options = crate::domain::portfolio::ImportOptions { dry_run, invite };
                    let s = crate::domain::portfolio::import_for_agency(
                        &state,
                        &agency,
                        None,
                        crate::i18n::Lang::En,
                        &bytes,
                        options,
                        progress,
                    )
                    .await
                    .map_err(|e| match e {
                        crate::domain::AppError::Invalid(i) => usage(i),
                        crate::domain::AppError::TooLarge => {
                            CliError::Usage(crate::i18n::Lang::En.t("error.too_large").into())
                        }
                        other => CliError::App(other),
                    })?;
                    if dry_run {
                        println!("dry run: nothing written");
                    }
                    println!(
                        "buildings: created {}, updated {}, unchanged {}",
                        s.buildings.created, s.buildings.updated, s.buildings.unchanged
                    );
                    println!(
                        "lots: created {}, updated {}, unchanged {}",
                        s.lots.created, s.lots.updated, s.lots.unchanged
                    );
                    println!(
                        "people: created {}, updated {}, unchanged {}, without e-mail {}",
                        s.people.created,
                        s.people.updated,
                        s.people.unchanged,
                        s.people.without_email
                    );
                    println!(
                        "invited {}, rejected {} ({:.2} s)",
                        s.invited,
                        s.rejected.len(),
                        started.elapsed().as_secs_f64()
                    );
                    for r in &s.rejected {
                        println!("  line {}: {}", r.line, r.reason);
                    }
                }
            }
            Ok(())
        }
        Command::Mail { common, command } => match command {
            MailCommand::Receive => mail_receive(&common).await,
        },
        Command::Jobs { common, command } => {
            let state = app::state(Config::from_args(&common, false), Clock::system()).await?;
            match command {
                JobsCommand::List { dead } => {
                    let status = if dead { "dead" } else { "pending" };
                    for job in db::jobs::list(&state.db.pool, status, 500).await? {
                        let when = jiff::Timestamp::from_millisecond(job.run_at)
                            .map(|t| t.to_string())
                            .unwrap_or_default();
                        println!(
                            "{}\t{}\t{}\tattempts={}\t{}\t{}",
                            job.id,
                            job.kind,
                            job.status,
                            job.attempts,
                            when,
                            job.last_error.unwrap_or_default()
                        );
                    }
                }
                JobsCommand::Retry { id } => {
                    match db::jobs::retry(&state.db.pool, &id, state.clock.now_ms()).await? {
                        0 => return Err(CliError::Usage(format!("no dead job {id}"))),
                        _ => println!("job {id} queued again"),
                    }
                }
            }
            Ok(())
        }
    }
}
