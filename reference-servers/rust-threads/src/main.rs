//! `rust-threads`: the contract on the standard library alone, one OS thread
//! per connection with blocking I/O (the thread-per-request model of classic
//! Java servers). HTTP/1.1 is parsed by hand with `httparse`; routes, replies
//! and work come from `rust_common`. [`fanout`] holds the upstream client.

mod fanout;

use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rust_common::api::{self, Reply, Route};

fn main() -> ExitCode {
    let port = match rust_common::port_from_env() {
        Ok(port) => port,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = stop_on_signal() {
        eprintln!("error: cannot install the SIGTERM handler: {e}");
        return ExitCode::FAILURE;
    }
    let listener = match TcpListener::bind(("127.0.0.1", port)) {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("error: cannot listen on 127.0.0.1:{port}: {e}");
            return ExitCode::FAILURE;
        }
    };
    // std listens with a backlog of 128; CONTRACT.md asks for 1024 so a
    // burst of connections is not dropped by the kernel before this
    // concurrency model is even reached.
    // SAFETY: listen(2) on the open socket we own; calling it again only
    // changes the backlog.
    unsafe {
        libc::listen(std::os::fd::AsRawFd::as_raw_fd(&listener), 1024);
    }
    let port = listener.local_addr().map(|a| a.port()).unwrap_or(port);
    let upstream = Arc::new(api::upstream_from_env().and_then(|u| fanout::Upstream::new(&u)));
    println!("listening on 127.0.0.1:{port} (std, one OS thread per connection)");
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors or similar: back off, keep serving.
            std::thread::sleep(Duration::from_millis(5));
            continue;
        };
        let upstream = upstream.clone();
        let spawned = std::thread::Builder::new()
            .name("connection".into())
            .spawn(move || {
                let _ = serve_connection(stream, &upstream);
            });
        if spawned.is_err() {
            // No thread for it: the connection is dropped (closed).
            std::thread::sleep(Duration::from_millis(5));
        }
    }
    ExitCode::SUCCESS
}

/// Blocks SIGTERM and SIGINT in every thread and waits for them on one
/// thread, which exits the process with status 0.
fn stop_on_signal() -> io::Result<()> {
    // SAFETY: plain libc calls on a zeroed, locally owned signal set; the
    // mask is set before any other thread exists, so every thread inherits it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGINT);
        let rc = libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        if rc != 0 {
            return Err(io::Error::from_raw_os_error(rc));
        }
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                let mut signal: libc::c_int = 0;
                libc::sigwait(&set, &mut signal);
                let _ = io::stdout().flush();
                std::process::exit(0);
            })?;
    }
    Ok(())
}

/// Serves requests on one connection until the client closes it.
fn serve_connection(stream: TcpStream, upstream: &Option<fanout::Upstream>) -> io::Result<()> {
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(16 * 1024, stream);
    loop {
        let Some(head) = read_head(&mut reader)? else {
            return Ok(());
        };
        let arrived = Instant::now();
        let (reply, keep_alive) = match head {
            Err(reply) => (reply, false),
            Ok(head) => {
                let mut keep_alive = head.keep_alive;
                let reply = match api::route(&head.method, &head.target) {
                    Err(reply) => {
                        // Unread bodies would be taken for the next request.
                        keep_alive &= head.content_length == 0 && !head.chunked;
                        reply
                    }
                    Ok(Route::Echo) if head.chunked => match read_chunked(&mut reader)? {
                        Chunked::Body(body) => api::echo(&body),
                        Chunked::TooLarge => {
                            keep_alive = false;
                            api::too_large()
                        }
                        Chunked::Malformed => {
                            keep_alive = false;
                            api::bad_request("malformed chunked body")
                        }
                    },
                    Ok(Route::Echo) => {
                        if head.content_length > api::ECHO_LIMIT as u64 {
                            keep_alive = false;
                            api::too_large()
                        } else {
                            let mut body = vec![0; head.content_length as usize];
                            reader.read_exact(&mut body)?;
                            api::echo(&body)
                        }
                    }
                    Ok(route) => {
                        keep_alive &= head.content_length == 0 && !head.chunked;
                        answer(route, upstream, arrived)
                    }
                };
                (reply, keep_alive)
            }
        };
        write_reply(&mut writer, &reply, keep_alive)?;
        if !keep_alive {
            // Let the client read the answer before the close: closing with
            // its body still unread would reset the connection.
            writer.shutdown(std::net::Shutdown::Write)?;
            reader
                .get_ref()
                .set_read_timeout(Some(Duration::from_millis(500)))?;
            let _ = io::copy(&mut reader.take(4 * 1024 * 1024), &mut io::sink());
            return Ok(());
        }
    }
}

fn answer(route: Route, upstream: &Option<fanout::Upstream>, arrived: Instant) -> Reply {
    match route {
        Route::Plaintext => api::plaintext(),
        Route::Json => api::json_message(),
        Route::Cpu(n) => api::cpu(n),
        Route::Alloc(kb) => api::alloc(kb),
        Route::Sleep(ms) => {
            std::thread::sleep(Duration::from_millis(ms));
            api::slept(ms)
        }
        Route::Fanout { n, deadline_ms } => match upstream {
            Some(upstream) => {
                let deadline = arrived + Duration::from_millis(deadline_ms);
                api::fanout(n, upstream.fan_out(n, deadline), deadline_ms)
            }
            None => api::no_upstream(),
        },
        // Read with its body in serve_connection.
        Route::Echo => api::bad_request("unreachable: /echo is answered with its body"),
    }
}

/// The parts of a request head the server uses.
struct Head {
    method: String,
    target: String,
    content_length: u64,
    chunked: bool,
    keep_alive: bool,
}

/// Reads one request head. `Ok(None)`: the client closed the connection
/// between requests. `Ok(Some(Err(reply)))`: a head this server refuses.
fn read_head(reader: &mut BufReader<TcpStream>) -> io::Result<Option<Result<Head, Reply>>> {
    const MAX_HEAD: usize = 64 * 1024;
    let mut buf: Vec<u8> = Vec::new();
    loop {
        let available = reader.fill_buf()?;
        if available.is_empty() {
            return Ok(None);
        }
        // Take bytes up to and including the end of the head, if it is here.
        let start = buf.len().saturating_sub(3);
        let before = buf.len();
        buf.extend_from_slice(available);
        let end = buf[start..]
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .map(|p| start + p + 4);
        match end {
            Some(end) => {
                reader.consume(end - before);
                buf.truncate(end);
                return Ok(Some(parse_head(&buf)));
            }
            None => {
                let n = available.len();
                reader.consume(n);
                if buf.len() > MAX_HEAD {
                    return Ok(Some(Err(api::bad_request("request head over 64 KiB"))));
                }
            }
        }
    }
}

fn parse_head(buf: &[u8]) -> Result<Head, Reply> {
    let mut headers = [httparse::EMPTY_HEADER; 64];
    let mut request = httparse::Request::new(&mut headers);
    match request.parse(buf) {
        Ok(httparse::Status::Complete(_)) => {}
        _ => return Err(api::bad_request("malformed HTTP request")),
    }
    let mut content_length = 0;
    let mut chunked = false;
    let mut keep_alive = request.version == Some(1);
    for header in request.headers.iter() {
        let value = String::from_utf8_lossy(header.value);
        if header.name.eq_ignore_ascii_case("content-length") {
            content_length = value
                .trim()
                .parse()
                .map_err(|_| api::bad_request("Content-Length must be a number"))?;
        } else if header.name.eq_ignore_ascii_case("transfer-encoding") {
            if !value.to_ascii_lowercase().contains("chunked") {
                return Err(Reply {
                    status: 411,
                    content_type: "application/json",
                    body: br#"{"error":"send the body with Content-Length or chunked"}"#.to_vec(),
                });
            }
            chunked = true;
        } else if header.name.eq_ignore_ascii_case("connection") {
            let value = value.to_ascii_lowercase();
            if value.contains("close") {
                keep_alive = false;
            } else if value.contains("keep-alive") {
                keep_alive = true;
            }
        }
    }
    Ok(Head {
        method: request.method.unwrap_or("").to_string(),
        target: request.path.unwrap_or("/").to_string(),
        content_length,
        chunked,
        keep_alive,
    })
}

/// A chunked request body, read up to the `/echo` cap.
enum Chunked {
    /// The whole body.
    Body(Vec<u8>),
    /// Over the cap: the rest is left unread.
    TooLarge,
    /// Not valid chunked framing.
    Malformed,
}

/// Reads a `Transfer-Encoding: chunked` body, refusing a chunk that would
/// take it over 1 MiB before reading that chunk.
fn read_chunked(reader: &mut BufReader<TcpStream>) -> io::Result<Chunked> {
    let mut body = Vec::new();
    loop {
        let Some(line) = read_line(reader, 1024)? else {
            return Ok(Chunked::Malformed);
        };
        let size_text = line.split(';').next().unwrap_or("").trim();
        let Ok(size) = usize::from_str_radix(size_text, 16) else {
            return Ok(Chunked::Malformed);
        };
        if size == 0 {
            // Trailers, up to the empty line.
            loop {
                match read_line(reader, 8 * 1024)? {
                    Some(line) if line.is_empty() => return Ok(Chunked::Body(body)),
                    Some(_) => {}
                    None => return Ok(Chunked::Malformed),
                }
            }
        }
        if body.len().saturating_add(size) > api::ECHO_LIMIT {
            return Ok(Chunked::TooLarge);
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        if !matches!(read_line(reader, 2)?, Some(end) if end.is_empty()) {
            return Ok(Chunked::Malformed);
        }
    }
}

/// One CRLF-terminated line of at most `max` bytes, without its CRLF;
/// `None` if it is longer or the connection ends first.
fn read_line(reader: &mut BufReader<TcpStream>, max: u64) -> io::Result<Option<String>> {
    let mut line = String::new();
    let n = (&mut *reader).take(max + 2).read_line(&mut line)?;
    if n == 0 || !line.ends_with("\r\n") {
        return Ok(None);
    }
    line.truncate(line.len() - 2);
    Ok(Some(line))
}

fn write_reply(writer: &mut TcpStream, reply: &Reply, keep_alive: bool) -> io::Result<()> {
    let reason = match reply.status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Payload Too Large",
        503 => "Service Unavailable",
        _ => "",
    };
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\n{}\r\n",
        reply.status,
        reply.content_type,
        reply.body.len(),
        if keep_alive {
            ""
        } else {
            "Connection: close\r\n"
        },
    )
    .into_bytes();
    out.extend_from_slice(&reply.body);
    writer.write_all(&out)
}
