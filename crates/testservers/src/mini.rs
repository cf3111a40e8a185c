//! A tiny blocking HTTP/1.1 server (std only, one thread per connection,
//! keep-alive, `Content-Length` bodies) for test servers whose point is
//! something other than HTTP: startup delay, memory, CPU, dying.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};

/// What a handler answers: status, content type, body.
pub type Reply = (u16, &'static str, Vec<u8>);

/// Binds 127.0.0.1:`$PORT`, prints `listening on 127.0.0.1:<port>` and
/// serves every request with `handler(method, target)` until killed.
pub fn serve(handler: fn(&str, &str) -> Reply) -> std::io::Result<()> {
    let listener = TcpListener::bind(("127.0.0.1", crate::port_from_env()))?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            let _ = connection(stream, handler);
        });
    }
    Ok(())
}

fn connection(stream: TcpStream, handler: fn(&str, &str) -> Reply) -> std::io::Result<()> {
    // Without TCP_NODELAY a response written in pieces waits for the client's
    // delayed ACK (~40 ms a request); the response also goes out in one write.
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        if reader.read_line(&mut request_line)? == 0 {
            return Ok(());
        }
        let mut parts = request_line.split_whitespace();
        let method = parts.next().unwrap_or("").to_string();
        let target = parts.next().unwrap_or("/").to_string();
        let mut length = 0usize;
        let mut close = false;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header)? == 0 {
                return Ok(());
            }
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let name = name.trim().to_ascii_lowercase();
                let value = value.trim();
                if name == "content-length" {
                    length = value.parse().unwrap_or(0);
                } else if name == "connection" && value.eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        let (status, content_type, body) = handler(&method, &target);
        let mut response = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n",
            body.len()
        )
        .into_bytes();
        response.extend_from_slice(&body);
        writer.write_all(&response)?;
        if close {
            return Ok(());
        }
    }
}

/// An unsigned number from the environment, or `default`.
pub fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The contract's `/plaintext` answer; 404 for anything else.
pub fn plaintext(_method: &str, target: &str) -> Reply {
    if target == "/plaintext" {
        (200, "text/plain", b"Hello, World!".to_vec())
    } else {
        (404, "text/plain", b"not found".to_vec())
    }
}
