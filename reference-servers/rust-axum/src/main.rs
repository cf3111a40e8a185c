//! `rust-axum`: the contract on **axum 0.8**, the way axum's own examples
//! write a service: a `Router` with one route per endpoint (axum answers 404
//! for an unknown path and 405 for a known path with another method),
//! extractors for the query string and the body, shared `State` for the
//! upstream client, `axum::serve` on a tokio multi-thread runtime, graceful
//! shutdown on SIGTERM. No tracing subscriber is installed, so nothing is
//! logged. Parameter caps, reply bodies and the `/cpu`/`/alloc` work come
//! from `rust_common::api` (one place for each rule of the contract); the
//! `/fanout` calls reuse `rust_common::hyper_app::fanout` (axum has no HTTP
//! client of its own; hyper's is the one axum is built on).

use std::future::IntoFuture;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use rust_common::api::{self, Reply};
use rust_common::hyper_app::{self, UpstreamClient};

/// Shared by every handler through `State`.
struct AppState {
    /// The upstream's base URL and its keep-alive pool (`None` without `UPSTREAM_URL`).
    upstream: Option<(String, UpstreamClient)>,
}

/// A contract reply as an axum response (the orphan rule wants a local type).
struct Contract(Reply);

impl IntoResponse for Contract {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        (status, [(CONTENT_TYPE, self.0.content_type)], self.0.body).into_response()
    }
}

/// `Ok` and `Err` are both replies; this lets handlers use `?` on the
/// parameter parsers.
type Answer = Result<Contract, Contract>;

fn main() -> ExitCode {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(serve(workers));
    // A long /cpu or /sleep still running must not delay the exit.
    runtime.shutdown_timeout(Duration::from_millis(300));
    code
}

async fn serve(workers: usize) -> ExitCode {
    let port = match rust_common::port_from_env() {
        Ok(port) => port,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    // The contract's backlog of 1024: `tokio::net::TcpListener::bind` uses 128.
    let listener = match hyper_app::listen(port) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let state = Arc::new(AppState {
        upstream: hyper_app::upstream_from_env(),
    });
    let app = Router::new()
        .route("/plaintext", get(plaintext))
        .route("/json", get(json))
        .route("/echo", post(echo))
        .route("/cpu", get(cpu))
        .route("/sleep", get(sleep))
        .route("/alloc", get(alloc))
        .route("/fanout", get(fanout))
        // The extractor refuses bodies over the cap (by Content-Length
        // before reading, else by bytes read).
        .layer(DefaultBodyLimit::max(api::ECHO_LIMIT))
        .with_state(state);
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    let (mut term, mut int) = match (
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()),
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()),
    ) {
        (Ok(term), Ok(int)) => (term, int),
        _ => {
            eprintln!("error: cannot install the SIGTERM handler");
            return ExitCode::FAILURE;
        }
    };
    println!(
        "listening on 127.0.0.1:{port} (axum 0.8, tokio multi-thread, {workers} worker threads)"
    );
    let stop = async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    };
    // Graceful shutdown waits for open connections; keep-alive clients may
    // hold them for ever, so give them 1 s and then leave (the contract
    // wants the process gone within 2 s of SIGTERM).
    let (stopped_tx, stopped_rx) = tokio::sync::oneshot::channel::<()>();
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        stop.await;
        let _ = stopped_tx.send(());
    });
    let grace = async move {
        let _ = stopped_rx.await;
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    tokio::select! {
        served = server.into_future() => match served {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: serving: {e}");
                ExitCode::FAILURE
            }
        },
        () = grace => ExitCode::SUCCESS,
    }
}

async fn plaintext() -> Contract {
    Contract(api::plaintext())
}

async fn json() -> Contract {
    Contract(api::json_message())
}

async fn echo(body: Result<Bytes, BytesRejection>) -> Contract {
    Contract(match body {
        Ok(body) => api::echo(&body),
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => api::too_large(),
        Err(rejection) => api::bad_request(&format!("could not read the body: {rejection}")),
    })
}

async fn cpu(RawQuery(query): RawQuery) -> Answer {
    let n = api::cpu_param(query.as_deref().unwrap_or("")).map_err(Contract)?;
    Ok(Contract(api::cpu(n)))
}

async fn sleep(RawQuery(query): RawQuery) -> Answer {
    let ms = api::sleep_param(query.as_deref().unwrap_or("")).map_err(Contract)?;
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Ok(Contract(api::slept(ms)))
}

async fn alloc(RawQuery(query): RawQuery) -> Answer {
    let kb = api::alloc_param(query.as_deref().unwrap_or("")).map_err(Contract)?;
    Ok(Contract(api::alloc(kb)))
}

async fn fanout(State(state): State<Arc<AppState>>, RawQuery(query): RawQuery) -> Answer {
    let arrived = Instant::now();
    let (n, deadline_ms) = api::fanout_params(query.as_deref().unwrap_or("")).map_err(Contract)?;
    let Some((url, client)) = &state.upstream else {
        return Err(Contract(api::no_upstream()));
    };
    Ok(Contract(
        hyper_app::fanout(url, client, n, deadline_ms, arrived).await,
    ))
}
