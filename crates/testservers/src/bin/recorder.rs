//! A server that writes down every request it receives, exactly as it
//! arrived, so tests can check that a user's request reaches the server as
//! written: one JSON line per request (HTTP version, method, path and query,
//! authority/Host, every header in order, body) appended to `$RECORD_FILE`.
//! Speaks HTTP/1.1 and HTTP/2 over cleartext (prior knowledge); answers
//! `200 recorded`.
//!
//! `$PORT` picks the port (0 = any); prints `listening on 127.0.0.1:<port>`.

use std::convert::Infallible;
use std::io::Write;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto::Builder;
use tokio::net::TcpListener;

type Log = Arc<Mutex<std::fs::File>>;

async fn handle(
    log: Log,
    req: Request<hyper::body::Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let headers: Vec<[String; 2]> = parts
        .headers
        .iter()
        .map(|(k, v)| [k.to_string(), String::from_utf8_lossy(v.as_bytes()).into()])
        .collect();
    let line = serde_json::json!({
        "version": format!("{:?}", parts.version),
        "method": parts.method.as_str(),
        "path": parts.uri.path_and_query().map(|p| p.as_str()).unwrap_or(""),
        "authority": parts.uri.authority().map(|a| a.as_str()),
        "headers": headers,
        "body": String::from_utf8_lossy(&body),
    });
    if let Ok(mut file) = log.lock() {
        let _ = writeln!(file, "{line}");
    }
    Ok(Response::new(Full::new(Bytes::from_static(b"recorded"))))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let path = std::env::var("RECORD_FILE")
        .map_err(|_| anyhow::anyhow!("set RECORD_FILE to the file to append requests to"))?;
    let log: Log = Arc::new(Mutex::new(
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)?,
    ));
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env())).await?;
    println!("listening on {}", listener.local_addr()?);
    loop {
        let (stream, _) = listener.accept().await?;
        let log = log.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle(log.clone(), req));
            let _ = Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}
