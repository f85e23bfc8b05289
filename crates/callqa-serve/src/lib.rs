//! callqa's web app for QA analysts: takes an output folder of `callqa score` (the Parquet
//! store) and gives a local, read-only HTTP server with an overview, agent pages, a filterable
//! calls list and a page per call (scorecard with evidence, timeline, transcript, customer
//! sentiment and an audio player that jumps to the moment), plus the same data as JSON under
//! `/api/`.
//!
//! The store is read once at start into a [`StoreIndex`]; pages are rendered on the server, and
//! every asset (CSS, JavaScript) is embedded in the binary, so a page makes no request outside
//! the server's origin (a `Content-Security-Policy` of `'self'` makes the browser enforce it).
//! Audio is served only by call id: the path comes from the store's `calls.source_uri`, never
//! from the request, decoded and handed on as 16-bit PCM WAV with range requests (see [`audio`]).
//!
//! ```no_run
//! use callqa_serve::{ServeOptions, Server};
//! # fn main() -> Result<(), callqa_serve::ServeError> {
//! let server = Server::bind(&ServeOptions {
//!     out: "out/run1".into(),
//!     bind: std::net::SocketAddr::from(([127, 0, 0, 1], 8080)),
//!     token: None,
//! })?;
//! println!("http://{}/ ({} calls)", server.local_addr(), server.index().calls().len());
//! server.run()?; // until Ctrl-C
//! # Ok(()) }
//! ```
//!
//! Routes: `/`, `/agents`, `/agents/{agent_id}`, `/calls` (filters: [`CallFilter`]),
//! `/calls/{call_id}`, `/audio/{call_id}`, `/assets/*`, and JSON under `/api/`: `/api/overview`,
//! `/api/agents`, `/api/agents/{agent_id}`, `/api/calls` (`{"calls": [...], "total", "page",
//! "per_page"}`), `/api/calls/{call_id}`.

#![deny(missing_docs)]

pub mod audio;
mod auth;
mod handlers;
pub mod index;
pub mod pages;
pub mod synth;

pub use index::{CallFilter, CallPage, CallRecord, Overview, StoreIndex};

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// What went wrong starting or running the server, with the file or address concerned.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// Reading the store failed.
    #[error(transparent)]
    Store(#[from] callqa_store::StoreError),
    /// The folder is not an output folder.
    #[error("{}: {message}", path.display())]
    NotAStore {
        /// The folder.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A non-loopback bind address without a token.
    #[error(
        "--bind {bind} is reachable from other machines: give --token TOKEN (every request must then carry it), or bind to 127.0.0.1"
    )]
    TokenRequired {
        /// The address asked for.
        bind: String,
    },
    /// An empty token.
    #[error("--token must not be empty")]
    EmptyToken,
    /// Binding or serving failed.
    #[error("{addr}: {source}")]
    Net {
        /// The address.
        addr: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Decoding a recording failed.
    #[error(transparent)]
    Decode(#[from] callqa_audio::AudioError),
    /// A recording could not be turned into the player's WAV.
    #[error("{}: {message}", path.display())]
    Audio {
        /// The recording.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

/// How to start the server.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The output folder of `callqa score`.
    pub out: PathBuf,
    /// Address to listen on (port 0 picks a free port).
    pub bind: SocketAddr,
    /// Token every request must carry (`Authorization: Bearer T`, `?token=T`, or the cookie
    /// set after either); required when `bind` is not a loopback address.
    pub token: Option<String>,
}

/// State shared by the handlers.
#[derive(Debug)]
pub struct AppState {
    /// The store.
    pub index: StoreIndex,
    /// The token, if any.
    pub token: Option<String>,
    /// Decoded recordings.
    pub audio: audio::AudioCache,
}

/// The router over a loaded index (what [`Server::run`] serves; tests call it directly).
pub fn router(index: StoreIndex, token: Option<String>) -> axum::Router {
    handlers::router(Arc::new(AppState {
        index,
        token,
        audio: audio::AudioCache::default(),
    }))
}

/// A bound, not yet running server.
#[derive(Debug)]
pub struct Server {
    listener: std::net::TcpListener,
    addr: SocketAddr,
    state: Arc<AppState>,
}

impl Server {
    /// Checks the options, loads the store and binds the address.
    pub fn bind(opts: &ServeOptions) -> Result<Server, ServeError> {
        match opts.token.as_deref() {
            Some(t) if t.trim().is_empty() => return Err(ServeError::EmptyToken),
            None if !opts.bind.ip().is_loopback() => {
                return Err(ServeError::TokenRequired {
                    bind: opts.bind.to_string(),
                });
            }
            _ => {}
        }
        let index = StoreIndex::load(&opts.out)?;
        let net = |source| ServeError::Net {
            addr: opts.bind.to_string(),
            source,
        };
        let listener = std::net::TcpListener::bind(opts.bind).map_err(net)?;
        listener.set_nonblocking(true).map_err(net)?;
        let addr = listener.local_addr().map_err(net)?;
        Ok(Server {
            listener,
            addr,
            state: Arc::new(AppState {
                index,
                token: opts.token.clone(),
                audio: audio::AudioCache::default(),
            }),
        })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The loaded store.
    pub fn index(&self) -> &StoreIndex {
        &self.state.index
    }

    /// Serves until Ctrl-C (or SIGTERM on Unix).
    pub fn run(self) -> Result<(), ServeError> {
        let addr = self.addr.to_string();
        let net = |source| ServeError::Net {
            addr: addr.clone(),
            source,
        };
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .map_err(net)?;
        rt.block_on(async {
            let listener = tokio::net::TcpListener::from_std(self.listener).map_err(net)?;
            let app = handlers::router(self.state);
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown())
                .await
                .map_err(net)
        })
    }
}

async fn shutdown() {
    #[cfg(unix)]
    {
        let term = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut s) => {
                    s.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {},
            _ = term => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
