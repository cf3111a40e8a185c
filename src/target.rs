//! Where requests go: one [`Target`] (an `http://` origin) and one URL
//! parser for every part of Gauntlet that takes a URL — `bench URL` (which
//! may carry a path and leave the port out), `verify --url` and the idle
//! connections of `run` (a server's base URL, `http://HOST:PORT`). Parsing is
//! hyper's `Uri` (RFC 3986, IPv6 literals in brackets); the rules on top are
//! Gauntlet's: only `http://`, a host, port 80 when none is given.

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};

/// Where the load goes: an `http://` origin.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Target {
    /// Host as written in the URL (`127.0.0.1`, `localhost`, `[::1]`).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

/// A URL that is not one Gauntlet can load. The message says what is
/// wrong; the caller names the flag and adds the expected form
/// ([`URL_FORM`], or `http://HOST:PORT` for a base URL).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// Not a URL at all.
    #[error("{url:?} is not a valid URL")]
    Invalid {
        /// The URL as given.
        url: String,
    },
    /// A scheme other than `http`.
    #[error("{url:?}: the scheme {scheme}:// is not supported, only http://")]
    Scheme {
        /// The URL as given.
        url: String,
        /// The scheme it has.
        scheme: String,
    },
    /// No scheme.
    #[error("{url:?} has no http:// scheme")]
    NoScheme {
        /// The URL as given.
        url: String,
    },
    /// No host.
    #[error("{url:?} has no host")]
    NoHost {
        /// The URL as given.
        url: String,
    },
}

impl UrlError {
    /// What is wrong, without the URL (for messages that name it already).
    pub fn reason(&self) -> String {
        match self {
            UrlError::Invalid { .. } => "not a valid URL".into(),
            UrlError::Scheme { scheme, .. } => {
                format!("the scheme {scheme}:// is not supported, it must start with http://")
            }
            UrlError::NoScheme { .. } => "it must start with http://".into(),
            UrlError::NoHost { .. } => "the host is missing".into(),
        }
    }
}

/// The expected form of a URL to load, for error messages.
pub const URL_FORM: &str = "expected a URL like http://127.0.0.1:8080/plaintext";

/// A server's base URL that is not `http://HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("base URL {url:?} is not of the form http://HOST:PORT ({reason})")]
pub struct BaseUrlError {
    /// The URL as given.
    pub url: String,
    /// What is wrong with it.
    pub reason: String,
}

impl Target {
    /// Splits `http://host[:port][/path[?query]]` into the target (port 80
    /// when none is given) and the path and query (`/` when none is given).
    pub fn parse_url(url: &str) -> Result<(Target, String), UrlError> {
        let (target, path, _) = split(url)?;
        Ok((target, path))
    }

    /// Parses a server's base URL, `http://HOST:PORT` with at most a
    /// trailing `/`: no path, and the port written out.
    pub fn parse_base(url: &str) -> Result<Target, BaseUrlError> {
        let bad = |reason: String| BaseUrlError {
            url: url.to_string(),
            reason,
        };
        let (target, path, explicit_port) = split(url).map_err(|e| bad(e.reason()))?;
        if path != "/" {
            return Err(bad("expected only a host and port, no path".into()));
        }
        if !explicit_port {
            return Err(bad("the port is missing".into()));
        }
        Ok(target)
    }

    /// The origin as a URL prefix, e.g. `http://127.0.0.1:8080`.
    pub fn origin(&self) -> String {
        format!("http://{}:{}", self.host, self.port)
    }

    /// `host:port`, as a `Host` header with the port written out.
    pub fn authority(&self) -> String {
        format!("{}:{}", self.host, self.port)
    }

    /// The host without the brackets of an IPv6 literal, for connecting.
    pub fn bare_host(&self) -> &str {
        self.host.trim_start_matches('[').trim_end_matches(']')
    }

    /// The first socket address the host resolves to.
    pub fn resolve(&self) -> io::Result<SocketAddr> {
        (self.bare_host(), self.port)
            .to_socket_addrs()?
            .next()
            .ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::NotFound,
                    format!("{} resolves to no address", self.host),
                )
            })
    }
}

/// The one parser: the target, the path and query, and whether the port
/// was written.
fn split(url: &str) -> Result<(Target, String, bool), UrlError> {
    let uri: hyper::Uri = url.parse().map_err(|_| UrlError::Invalid {
        url: url.to_string(),
    })?;
    match uri.scheme_str() {
        Some("http") => {}
        Some(other) => {
            return Err(UrlError::Scheme {
                url: url.to_string(),
                scheme: other.to_string(),
            })
        }
        None => {
            return Err(UrlError::NoScheme {
                url: url.to_string(),
            })
        }
    }
    let host = uri
        .host()
        .filter(|h| !h.is_empty())
        .ok_or_else(|| UrlError::NoHost {
            url: url.to_string(),
        })?;
    let path = uri
        .path_and_query()
        .map(|p| p.as_str())
        .filter(|p| !p.is_empty())
        .unwrap_or("/");
    Ok((
        Target {
            host: host.to_string(),
            port: uri.port_u16().unwrap_or(80),
        },
        path.to_string(),
        uri.port_u16().is_some(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(host: &str, port: u16) -> Target {
        Target {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn urls_split_into_target_and_path() {
        assert_eq!(
            Target::parse_url("http://127.0.0.1:8080/json?x=1").unwrap(),
            (t("127.0.0.1", 8080), "/json?x=1".to_string())
        );
        assert_eq!(
            Target::parse_url("http://localhost").unwrap(),
            (t("localhost", 80), "/".to_string())
        );
        let (ipv6, path) = Target::parse_url("http://[::1]:9000/p").unwrap();
        assert_eq!(
            (ipv6.host.as_str(), ipv6.port, path.as_str()),
            ("[::1]", 9000, "/p")
        );
        assert_eq!(ipv6.bare_host(), "::1");
        assert_eq!(ipv6.origin(), "http://[::1]:9000");
    }

    #[test]
    fn bad_urls_say_what_is_wrong_and_show_the_form() {
        for (url, says) in [
            ("ht tp://x", "is not a valid URL"),
            ("https://127.0.0.1/", "the scheme https:// is not supported"),
            ("127.0.0.1:8080/x", "is not a valid URL"),
            ("127.0.0.1:8080", "no http:// scheme"),
            ("/plaintext", "no http:// scheme"),
        ] {
            let msg = Target::parse_url(url).unwrap_err().to_string();
            assert!(
                msg.contains(says) && msg.contains(&format!("{url:?}")),
                "{url}: {msg}"
            );
        }
    }

    #[test]
    fn base_urls_need_a_port_and_no_path() {
        assert_eq!(
            Target::parse_base("http://127.0.0.1:8080/").unwrap(),
            t("127.0.0.1", 8080)
        );
        assert_eq!(
            Target::parse_base("http://[::1]:8080")
                .unwrap()
                .resolve()
                .unwrap(),
            "[::1]:8080".parse().unwrap()
        );
        let msg = |url| Target::parse_base(url).unwrap_err().to_string();
        assert_eq!(
            msg("127.0.0.1:8080"),
            "base URL \"127.0.0.1:8080\" is not of the form http://HOST:PORT (it must start with http://)"
        );
        assert!(msg("http://127.0.0.1").contains("the port is missing"));
        assert!(msg("http://127.0.0.1:80/x").contains("no path"));
    }
}
