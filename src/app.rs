//! Application assembly: one `Application::build` used by `palier serve`, the demo and tests.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::{Notify, watch};

use crate::domain::Context;

use crate::clock::Clock;
use crate::config::Config;
use crate::db::{Db, DbError};
use crate::mail::Mailer;

/// The web application's state is the domain's context: nothing else is shared per request.
pub use crate::domain::Context as AppState;

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("data directory {0}: {1}")]
    DataDir(String, std::io::Error),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("file storage: {0}")]
    Files(#[from] crate::storage::StorageError),
    #[error("mail: {0}")]
    Mail(#[from] crate::mail::transport::MailError),
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("server: {0}")]
    Serve(std::io::Error),
}

/// Connects the database, runs migrations and builds the shared state.
pub async fn state(mut config: Config, clock: Clock) -> Result<AppState, StartError> {
    std::fs::create_dir_all(&config.data_dir)
        .map_err(|e| StartError::DataDir(config.data_dir.display().to_string(), e))?;
    let db = Db::connect(&config.database_url).await?;
    db.migrate().await?;
    let mailer = Mailer::new(
        &config.mail_from,
        config.smtp_url.as_deref(),
        config.mail_dir(),
    )?;
    config.base_url = config.base_url.trim_end_matches('/').to_string();
    let files = config.file_store()?;
    Ok(Context {
        db,
        files,
        config: Arc::new(config),
        mailer: Arc::new(mailer),
        clock,
        jobs_notify: Arc::new(Notify::new()),
        photo_pool: Arc::new(crate::photos::DecodePool::default()),
    })
}

pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    /// Binds `listen` (port 0 picks a free port) and prepares the state. When no base URL
    /// was configured, links point at the bound address.
    pub async fn build(
        mut config: Config,
        clock: Clock,
        listen: &str,
    ) -> Result<Application, StartError> {
        let listener = TcpListener::bind(listen)
            .await
            .map_err(|e| StartError::Listen(listen.to_string(), e))?;
        let addr = listener
            .local_addr()
            .map_err(|e| StartError::Listen(listen.to_string(), e))?;
        if config.base_url.is_empty() {
            config.base_url = format!("http://{addr}");
        }
        let state = state(config, clock).await?;
        Ok(Application { listener, state })
    }

    pub fn address(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn state(&self) -> AppState {
        self.state.clone()
    }

    /// Serves until `shutdown` completes, then lets in-flight requests and the current job finish.
    pub async fn run_until(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), StartError> {
        let (stop_tx, stop_rx) = watch::channel(false);
        let worker = self
            .state
            .config
            .run_worker
            .then(|| tokio::spawn(crate::jobs::run_worker(self.state.clone(), stop_rx)));
        let router = crate::web::router(self.state.clone());
        let served = axum::serve(
            self.listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await;
        let _ = stop_tx.send(true);
        if let Some(worker) = worker {
            let _ = worker.await;
        }
        served.map_err(StartError::Serve)
    }
}

/// Completes on ctrl-c or SIGTERM. The SIGTERM handler is installed when this is called,
/// not when first polled, so a stop request during start-up is not lost.
pub fn shutdown_signal() -> impl std::future::Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    let mut terminate =
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let term = async {
            match terminate.as_mut() {
                Some(s) => {
                    s.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let term = std::future::pending::<()>();
        tokio::select! {
            _ = ctrl_c => {},
            _ = term => {},
        }
        tracing::info!("shutting down");
    }
}
