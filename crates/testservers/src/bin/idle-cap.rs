//! Keeps at most `$IDLE_CAP` (default 50) idle keep-alive connections, the
//! way the JDK's HttpServer keeps `sun.net.httpserver.maxIdleConnections`:
//! after answering a request, a connection that would be one idle connection
//! too many is closed. Answers every request `200 Hello, World!`. A test
//! opens more idle connections than the cap and checks that exactly the cap
//! is counted as held.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};

/// Connections answered and now waiting for their next request.
static IDLE: AtomicU64 = AtomicU64::new(0);

fn main() -> std::io::Result<()> {
    let cap = gauntlet_testservers::mini::env_u64("IDLE_CAP", 50);
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env()))?;
    println!("listening on {}", listener.local_addr()?);
    std::io::stdout().flush()?;
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            let mut idle = false;
            let _ = connection(stream, cap, &mut idle);
            if idle {
                IDLE.fetch_sub(1, Ordering::SeqCst);
            }
        });
    }
    Ok(())
}

/// Serves one connection; `idle` tells whether it is counted in [`IDLE`].
fn connection(stream: TcpStream, cap: u64, idle: &mut bool) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        if *idle {
            IDLE.fetch_sub(1, Ordering::SeqCst);
            *idle = false;
        }
        // Headers up to the blank line; requests here have no body.
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 || line.trim_end().is_empty() {
                break;
            }
        }
        writer.write_all(
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n\r\nHello, World!",
        )?;
        // Back to idle: kept only while fewer than `cap` others are idle.
        if IDLE.fetch_add(1, Ordering::SeqCst) >= cap {
            IDLE.fetch_sub(1, Ordering::SeqCst);
            return Ok(());
        }
        *idle = true;
    }
}
