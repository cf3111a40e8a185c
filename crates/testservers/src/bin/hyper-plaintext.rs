//! A hyper server speaking HTTP/1.1 and HTTP/2 over cleartext (prior
//! knowledge), for the engine's `--http2` path and error counting: `GET
//! /plaintext` answers `Hello, World!`; `/status/<code>` answers with that
//! status; anything else 404.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.

use std::convert::Infallible;

use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;

async fn handle(req: Request<hyper::body::Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    let path = req.uri().path();
    let (status, body) = if path == "/plaintext" {
        (StatusCode::OK, "Hello, World!")
    } else if let Some(code) = path.strip_prefix("/status/") {
        (
            code.parse::<u16>()
                .ok()
                .and_then(|c| StatusCode::from_u16(c).ok())
                .unwrap_or(StatusCode::BAD_REQUEST),
            "status",
        )
    } else {
        (StatusCode::NOT_FOUND, "not found")
    };
    let mut resp = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *resp.status_mut() = status;
    Ok(resp)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env())).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), hyper::service::service_fn(handle))
                .await;
        });
    }
}
