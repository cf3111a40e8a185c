//! The hyper server both tokio reference servers run; they differ only in the
//! runtime they pass to [`run`]. It owns the accept loop, the per-connection
//! HTTP/1.1 service, the async parts of the contract (reading `/echo` with a
//! 1 MiB cap, timer-based `/sleep`, `/fanout` over a keep-alive client pool
//! with calls abandoned at the deadline) and stopping on SIGTERM.

use std::convert::Infallible;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Full, Limited};
use hyper::body::Incoming;
use hyper::header::{HeaderValue, CONTENT_LENGTH, CONTENT_TYPE};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::api::{self, Reply, Route};

/// The keep-alive client pool `/fanout` calls the upstream with.
pub type UpstreamClient = Client<HttpConnector, Empty<Bytes>>;

/// Shared by every connection.
struct App {
    /// The upstream's base URL and the pooled client that calls it.
    upstream: Option<(String, UpstreamClient)>,
}

/// Builds `runtime`, serves on 127.0.0.1:$PORT until SIGTERM or SIGINT, and
/// returns the exit code. `details` goes into the `listening on` line.
pub fn run(mut runtime: tokio::runtime::Builder, details: &str) -> ExitCode {
    let runtime = match runtime.enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let code = runtime.block_on(serve(details));
    // Tasks still running (a long /cpu, a /sleep) must not delay the exit.
    runtime.shutdown_timeout(Duration::from_millis(300));
    code
}

async fn serve(details: &str) -> ExitCode {
    let port = match crate::port_from_env() {
        Ok(port) => port,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let listener = match listen(port) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = Arc::new(App {
        upstream: upstream_from_env(),
    });
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    println!("listening on 127.0.0.1:{port} ({details})");
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
    loop {
        let accepted = tokio::select! {
            _ = term.recv() => return ExitCode::SUCCESS,
            _ = int.recv() => return ExitCode::SUCCESS,
            accepted = listener.accept() => accepted,
        };
        let Ok((stream, _)) = accepted else {
            // Out of file descriptors or similar: back off, keep serving.
            tokio::time::sleep(Duration::from_millis(5)).await;
            continue;
        };
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(req, app.clone()));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

/// The upstream's base URL (`$UPSTREAM_URL`) and a keep-alive client pool
/// for it; `None` without `UPSTREAM_URL`. Call it inside a tokio runtime.
pub fn upstream_from_env() -> Option<(String, UpstreamClient)> {
    api::upstream_from_env().map(|url| {
        let mut connector = HttpConnector::new();
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(90))
            .build(connector);
        (url, client)
    })
}

/// Binds 127.0.0.1:`port` with a backlog of [`BACKLOG`]; tokio's own
/// `TcpListener::bind` uses 128, which drops a burst of 1,000 connections.
pub fn listen(port: u16) -> std::io::Result<TcpListener> {
    let socket = tokio::net::TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(std::net::SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(BACKLOG)
}

/// The listen backlog CONTRACT.md asks for.
pub const BACKLOG: u32 = 1024;

async fn handle(
    request: Request<Incoming>,
    app: Arc<App>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let arrived = Instant::now();
    let target = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or("/");
    let reply = match api::route(request.method().as_str(), target) {
        Err(reply) => reply,
        Ok(Route::Plaintext) => api::plaintext(),
        Ok(Route::Json) => api::json_message(),
        Ok(Route::Echo) => echo(request).await,
        Ok(Route::Cpu(n)) => api::cpu(n),
        Ok(Route::Alloc(kb)) => api::alloc(kb),
        Ok(Route::Sleep(ms)) => {
            tokio::time::sleep(Duration::from_millis(ms)).await;
            api::slept(ms)
        }
        Ok(Route::Fanout { n, deadline_ms }) => match &app.upstream {
            Some((url, client)) => fanout(url, client, n, deadline_ms, arrived).await,
            None => api::no_upstream(),
        },
    };
    Ok(to_response(reply))
}

/// Reads the body with the 1 MiB cap: by `Content-Length` before reading,
/// by bytes read otherwise.
async fn echo(request: Request<Incoming>) -> Reply {
    let declared = request
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|len| len > api::ECHO_LIMIT as u64) {
        return api::too_large();
    }
    match Limited::new(request.into_body(), api::ECHO_LIMIT)
        .collect()
        .await
    {
        Ok(body) => api::echo(&body.to_bytes()),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => api::too_large(),
        Err(e) => api::bad_request(&format!("could not read the body: {e}")),
    }
}

/// Calls the upstream `n` times at once and counts the 200s that arrive
/// before `deadline_ms` after `arrived`; the rest are abandoned (their tasks
/// aborted, which drops the calls). Needs a tokio runtime (each call is a
/// task spawned on the current one).
pub async fn fanout(
    url: &str,
    client: &UpstreamClient,
    n: u64,
    deadline_ms: u64,
    arrived: Instant,
) -> Reply {
    let deadline = tokio::time::Instant::from_std(arrived + Duration::from_millis(deadline_ms));
    let mut calls = JoinSet::new();
    for i in 0..n {
        let client = client.clone();
        let uri = format!("{url}/item?i={i}");
        calls.spawn(async move {
            let Ok(uri) = uri.parse::<hyper::Uri>() else {
                return false;
            };
            match client.get(uri).await {
                Ok(response) => {
                    let ok = response.status() == StatusCode::OK;
                    // Read the body so the connection goes back to the pool.
                    response.into_body().collect().await.is_ok() && ok
                }
                Err(_) => false,
            }
        });
    }
    let mut ok = 0;
    let _ = tokio::time::timeout_at(deadline, async {
        while let Some(result) = calls.join_next().await {
            if matches!(result, Ok(true)) {
                ok += 1;
            }
        }
    })
    .await;
    calls.abort_all();
    api::fanout(n, ok, deadline_ms)
}

fn to_response(reply: Reply) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() =
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    response
}
