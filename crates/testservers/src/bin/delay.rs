//! Answers every request after sleeping `$DELAY_US` microseconds (default
//! 2000), one thread per connection, so that a test can slow a server by a
//! known fraction: in the closed model throughput is about
//! connections / (delay + overhead), and latency about delay + overhead.
//! `GET /plaintext` is the contract's answer (after the same delay); other
//! paths answer `delayed`. Sleeping rather than burning CPU keeps the figure
//! stable on a machine whose CPUs are shared with other work.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

use gauntlet_testservers::mini::env_u64;

fn connection(stream: TcpStream, delay: Duration) -> std::io::Result<()> {
    stream.set_nodelay(true)?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    loop {
        line.clear();
        if reader.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/").to_string();
        let mut length = 0usize;
        let mut close = false;
        loop {
            line.clear();
            if reader.read_line(&mut line)? == 0 {
                return Ok(());
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let (name, value) = (name.trim().to_ascii_lowercase(), value.trim());
                if name == "content-length" {
                    length = value.parse().unwrap_or(0);
                } else if name == "connection" && value.eq_ignore_ascii_case("close") {
                    close = true;
                }
            }
        }
        let mut body = vec![0u8; length];
        reader.read_exact(&mut body)?;
        std::thread::sleep(delay);
        let answer: &[u8] = if target == "/plaintext" {
            b"Hello, World!"
        } else {
            b"delayed"
        };
        let mut response = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: {}\r\n\r\n",
            answer.len()
        )
        .into_bytes();
        response.extend_from_slice(answer);
        writer.write_all(&response)?;
        if close {
            return Ok(());
        }
    }
}

fn main() -> std::io::Result<()> {
    let delay = Duration::from_micros(env_u64("DELAY_US", 2000));
    let listener = TcpListener::bind(("127.0.0.1", gauntlet_testservers::port_from_env()))?;
    println!("listening on {} (delay {delay:?})", listener.local_addr()?);
    std::io::stdout().flush()?;
    for stream in listener.incoming() {
        let stream = stream?;
        std::thread::spawn(move || {
            let _ = connection(stream, delay);
        });
    }
    Ok(())
}
