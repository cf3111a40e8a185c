//! `rust-actix`: the contract on **actix-web 4**, the way actix's own
//! documentation writes a service: `#[actix_web::main]`, an `HttpServer`
//! whose factory builds one `App` per worker (each worker is an OS thread
//! with its own single-threaded tokio runtime; connections are spread over
//! the workers and never move), one `web::resource` per endpoint (actix
//! answers 404 for an unknown path and 405 for a known path with another
//! method), per-worker `web::Data` for the upstream client, and
//! `web::PayloadConfig` for the body cap. No `Logger` middleware: nothing is
//! logged per request. Parameter caps, reply bodies and the `/cpu`/`/alloc`
//! work come from `rust_common::api`; the `/fanout` calls reuse
//! `rust_common::hyper_app::fanout` on the worker's runtime.

use std::time::{Duration, Instant};

use actix_web::http::StatusCode;
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use rust_common::api::{self, Reply};
use rust_common::hyper_app::{self, UpstreamClient, BACKLOG};

/// One per worker, built by the app factory on that worker's thread.
struct WorkerState {
    /// The upstream's base URL and this worker's keep-alive pool
    /// (`None` without `UPSTREAM_URL`).
    upstream: Option<(String, UpstreamClient)>,
}

/// A contract reply as an actix response.
fn respond(reply: Reply) -> HttpResponse {
    HttpResponse::build(
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    )
    .content_type(reply.content_type)
    .body(reply.body)
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let port = rust_common::port_from_env().map_err(std::io::Error::other)?;
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get());
    let server = HttpServer::new(|| {
        App::new()
            .app_data(web::Data::new(WorkerState {
                upstream: hyper_app::upstream_from_env(),
            }))
            .app_data(web::PayloadConfig::new(api::ECHO_LIMIT))
            .service(web::resource("/plaintext").route(web::get().to(plaintext)))
            .service(web::resource("/json").route(web::get().to(json)))
            .service(web::resource("/echo").route(web::post().to(echo)))
            .service(web::resource("/cpu").route(web::get().to(cpu)))
            .service(web::resource("/sleep").route(web::get().to(sleep)))
            .service(web::resource("/alloc").route(web::get().to(alloc)))
            .service(web::resource("/fanout").route(web::get().to(fanout)))
    })
    .workers(workers)
    // The contract's backlog (actix's default is 2048; say it explicitly).
    .backlog(BACKLOG)
    // SIGTERM starts a graceful stop; the contract wants the process gone
    // within 2 s, so in-flight requests get 1 s (actix's default is 30 s).
    .shutdown_timeout(1)
    .bind(("127.0.0.1", port))
    .map_err(|e| {
        std::io::Error::new(e.kind(), format!("cannot listen on 127.0.0.1:{port}: {e}"))
    })?;
    let bound = server.addrs().first().map_or(port, |a| a.port());
    println!(
        "listening on 127.0.0.1:{bound} (actix-web 4, {workers} workers, one single-threaded tokio runtime each)"
    );
    server.run().await
}

async fn plaintext() -> HttpResponse {
    respond(api::plaintext())
}

async fn json() -> HttpResponse {
    respond(api::json_message())
}

async fn echo(body: Result<web::Bytes, actix_web::Error>) -> HttpResponse {
    respond(match body {
        Ok(body) => api::echo(&body),
        Err(e) if e.as_response_error().status_code() == StatusCode::PAYLOAD_TOO_LARGE => {
            api::too_large()
        }
        Err(e) => api::bad_request(&format!("could not read the body: {e}")),
    })
}

async fn cpu(request: HttpRequest) -> HttpResponse {
    respond(api::cpu_param(request.query_string()).map_or_else(|e| e, api::cpu))
}

async fn sleep(request: HttpRequest) -> HttpResponse {
    match api::sleep_param(request.query_string()) {
        Ok(ms) => {
            actix_web::rt::time::sleep(Duration::from_millis(ms)).await;
            respond(api::slept(ms))
        }
        Err(e) => respond(e),
    }
}

async fn alloc(request: HttpRequest) -> HttpResponse {
    respond(api::alloc_param(request.query_string()).map_or_else(|e| e, api::alloc))
}

async fn fanout(request: HttpRequest, state: web::Data<WorkerState>) -> HttpResponse {
    let arrived = Instant::now();
    let (n, deadline_ms) = match api::fanout_params(request.query_string()) {
        Ok(params) => params,
        Err(e) => return respond(e),
    };
    respond(match &state.upstream {
        Some((url, client)) => hyper_app::fanout(url, client, n, deadline_ms, arrived).await,
        None => api::no_upstream(),
    })
}
