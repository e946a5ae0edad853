use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("PALIER_LOG")
                .unwrap_or_else(|_| "palier=info,tower_http=warn".into()),
        )
        .init();
    match palier::cli::run(palier::cli::Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("palier: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
