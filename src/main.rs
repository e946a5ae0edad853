use clap::Parser;
use palier::cli::{Cli, LogFormat};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    palier::storage::install_tls_provider();
    let filter = tracing_subscriber::EnvFilter::try_from_env("PALIER_LOG")
        .unwrap_or_else(|_| "palier=info,tower_http=warn".into());
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    match cli.log_format {
        LogFormat::Text => logs.init(),
        LogFormat::Json => logs.json().flatten_event(true).init(),
    }
    match palier::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("palier: {e}");
            std::process::ExitCode::from(e.exit_code())
        }
    }
}
