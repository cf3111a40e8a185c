//! A deliberately broken reference server, for proving that the contract
//! checker catches faults: `/json` sends the wrong message, `/plaintext` the
//! wrong content type, and a `/cpu` parameter that is not a number crashes
//! the whole process. The rest answers like the contract on the few
//! endpoints it has. Reads `$PORT` (0 = any), binds 127.0.0.1, prints
//! `listening on ...` once ready.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

fn main() -> anyhow::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env()))?;
    println!(
        "listening on {} (broken on purpose)",
        listener.local_addr()?
    );
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            let _ = serve(stream);
        });
    }
    Ok(())
}

fn serve(stream: TcpStream) -> std::io::Result<()> {
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::new(stream);
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut content_length = 0usize;
        loop {
            let mut line = String::new();
            reader.read_line(&mut line)?;
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some((name, value)) = line.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    content_length = value.trim().parse().unwrap_or(0);
                }
            }
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("");
        let target = parts.next().unwrap_or("/");
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        if content_length > 1024 * 1024 {
            respond(
                &mut writer,
                413,
                "application/json",
                r#"{"error":"too big"}"#,
            )?;
            return Ok(());
        }
        let mut body = vec![0; content_length];
        reader.read_exact(&mut body)?;
        let (status, content_type, body) = answer(method, path, query, &body);
        respond(&mut writer, status, content_type, &body)?;
    }
}

fn answer(method: &str, path: &str, query: &str, body: &[u8]) -> (u16, &'static str, String) {
    let json = "application/json";
    let param = |name: &str| {
        query
            .split('&')
            .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
            .unwrap_or("")
            .to_string()
    };
    let bad = |name: &str| (400, json, format!(r#"{{"error":"bad {name}"}}"#));
    match (method, path) {
        // Fault 1: the wrong content type.
        ("GET", "/plaintext") => (200, "text/html", "Hello, World!".into()),
        // Fault 2: the wrong body.
        ("GET", "/json") => (200, json, r#"{"message":"Hello, world"}"#.into()),
        ("POST", "/echo") => match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(v) => (200, json, v.to_string()),
            Err(_) => bad("body"),
        },
        ("GET", "/cpu") => {
            // Fault 3: a parameter that is not a number kills the process.
            let raw = param("n");
            if raw.is_empty() {
                return bad("n");
            }
            let n: i64 = match raw.parse() {
                Ok(n) => n,
                Err(_) => std::process::abort(),
            };
            // (Large n refused too, to keep this debug build quick.)
            if !(0..=10_000).contains(&n) {
                return bad("n");
            }
            let primes = (2..=n)
                .filter(|&i| (2..).take_while(|d| d * d <= i).all(|d| i % d != 0))
                .count();
            (200, json, format!(r#"{{"n":{n},"primes":{primes}}}"#))
        }
        (_, "/plaintext" | "/json" | "/echo" | "/cpu") => (405, "text/plain", "no".into()),
        _ => (404, "text/plain", "not found".into()),
    }
}

fn respond(w: &mut TcpStream, status: u16, content_type: &str, body: &str) -> std::io::Result<()> {
    write!(
        w,
        "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )?;
    w.flush()
}
