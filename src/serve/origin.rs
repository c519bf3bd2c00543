//! Decides whether a request was addressed to this preview by this computer's own name, so that a page
//! of another site cannot read drafts and error details through the browser.
//!
//! The attack is DNS rebinding: a name under the attacker's control is pointed at 127.0.0.1, and a page
//! served from that name then reads the preview as if it were its own site. The browser still sends the
//! name it used in `Host` (and, on requests from another page, that page in `Origin`), so only
//! `localhost`, `127.0.0.1`, `[::1]` and the address the preview listens on pass, each with its port.
//! Listening on every address (`--bind 0.0.0.0`), any address written as digits passes too: colleagues
//! open it by the computer's address, and rebinding always needs a name.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// The names by which the preview may be asked for pages.
#[derive(Debug, Clone)]
pub struct AllowedHosts {
    bind: IpAddr,
    port: u16,
}

/// What the check looks at in a request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Addressed<'a> {
    /// Every `Host` header value (a valid request has exactly one).
    pub hosts: &'a [&'a str],
    /// Every `Origin` header value (usually none; at most one).
    pub origins: &'a [&'a str],
    /// The host and port of a request target written as a whole URL (`GET http://host:port/`).
    pub authority: Option<&'a str>,
}

impl AllowedHosts {
    pub fn new(bind: IpAddr, port: u16) -> AllowedHosts {
        AllowedHosts { bind, port }
    }

    /// Whether a request was addressed to this preview.
    pub fn allows(&self, request: &Addressed<'_>) -> bool {
        let [host] = request.hosts else {
            return false;
        };
        self.host(host)
            && request.authority.is_none_or(|a| self.host(a))
            && request.origins.len() <= 1
            && request.origins.iter().all(|o| self.origin(o))
    }

    /// Whether a `Host` value (`name` or `name:port`) names this preview.
    pub fn host(&self, value: &str) -> bool {
        let Some((name, port)) = split_host(value) else {
            return false;
        };
        let port_matches = match port {
            Some(port) => {
                !port.is_empty()
                    && port.bytes().all(|b| b.is_ascii_digit())
                    && port.parse() == Ok(self.port)
            }
            // A browser leaves out the port only when it is HTTP's own.
            None => self.port == 80,
        };
        port_matches && self.name(name)
    }

    /// Whether an `Origin` value is a page of this preview (`http://` and an allowed host).
    pub fn origin(&self, value: &str) -> bool {
        value.strip_prefix("http://").is_some_and(|h| self.host(h))
    }

    fn name(&self, name: Name<'_>) -> bool {
        let ip = match name {
            Name::Domain(domain) => return domain.eq_ignore_ascii_case("localhost"),
            Name::V4(ip) => IpAddr::V4(ip),
            Name::V6(ip) => IpAddr::V6(ip),
        };
        ip == IpAddr::V4(Ipv4Addr::LOCALHOST)
            || ip == IpAddr::V6(Ipv6Addr::LOCALHOST)
            || ip == self.bind
            || self.bind.is_unspecified()
    }
}

/// The host part of a `Host` value.
enum Name<'a> {
    Domain(&'a str),
    V4(Ipv4Addr),
    V6(Ipv6Addr),
}

/// Splits `name[:port]` or `[v6][:port]`; `None` for anything malformed.
fn split_host(value: &str) -> Option<(Name<'_>, Option<&str>)> {
    if let Some(rest) = value.strip_prefix('[') {
        let (ip, after) = rest.split_once(']')?;
        let port = match after {
            "" => None,
            _ => Some(after.strip_prefix(':')?),
        };
        return Some((Name::V6(ip.parse().ok()?), port));
    }
    let (name, port) = match value.split_once(':') {
        Some((name, port)) => (name, Some(port)),
        None => (value, None),
    };
    if name.is_empty() {
        return None;
    }
    let name = match name.parse() {
        Ok(ip) => Name::V4(ip),
        Err(_) => Name::Domain(name),
    };
    Some((name, port))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback() -> AllowedHosts {
        AllowedHosts::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 8123)
    }

    fn request<'a>(hosts: &'a [&'a str], origins: &'a [&'a str]) -> Addressed<'a> {
        Addressed {
            hosts,
            origins,
            authority: None,
        }
    }

    #[test]
    fn this_computers_names_with_the_port_pass() {
        let allowed = loopback();
        for host in [
            "127.0.0.1:8123",
            "localhost:8123",
            "LocalHost:8123",
            "[::1]:8123",
        ] {
            assert!(allowed.host(host), "{host}");
        }
    }

    #[test]
    fn other_names_ports_and_malformed_values_are_refused() {
        let allowed = loopback();
        for host in [
            "evil.example",
            "evil.example:8123",
            "localhost.evil.example:8123",
            "127.0.0.1",
            "127.0.0.1:8000",
            "127.0.0.1:+8123",
            "127.0.0.1:08123x",
            "127.0.0.1:",
            "127.0.0.2:8123",
            "192.168.1.5:8123",
            "[::2]:8123",
            "[::1]8123",
            "[::1",
            "::1:8123",
            ":8123",
            "",
            "localhost:8123:8123",
            "user@localhost:8123",
        ] {
            assert!(!allowed.host(host), "{host}");
        }
    }

    #[test]
    fn port_80_may_be_left_out() {
        let allowed = AllowedHosts::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 80);
        assert!(allowed.host("localhost"));
        assert!(allowed.host("localhost:80"));
        assert!(allowed.origin("http://127.0.0.1"));
    }

    #[test]
    fn the_bound_address_passes_and_every_address_when_bound_to_all() {
        let lan = IpAddr::V4(Ipv4Addr::new(192, 168, 1, 5));
        assert!(AllowedHosts::new(lan, 8123).host("192.168.1.5:8123"));
        assert!(!AllowedHosts::new(lan, 8123).host("192.168.1.6:8123"));
        let all = AllowedHosts::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 8123);
        assert!(all.host("192.168.1.6:8123"));
        assert!(all.host("[fe80::1]:8123"));
        assert!(
            !all.host("evil.example:8123"),
            "names other than localhost never"
        );
        let v6 = AllowedHosts::new("2001:db8::5".parse().expect("ip"), 8123);
        assert!(v6.host("[2001:db8::5]:8123"));
    }

    #[test]
    fn origins_must_be_pages_of_the_preview() {
        let allowed = loopback();
        assert!(allowed.origin("http://127.0.0.1:8123"));
        assert!(allowed.origin("http://localhost:8123"));
        for origin in [
            "null",
            "https://127.0.0.1:8123",
            "http://evil.example:8123",
            "http://127.0.0.1:8123/",
            "http://127.0.0.1:9999",
        ] {
            assert!(!allowed.origin(origin), "{origin}");
        }
    }

    #[test]
    fn a_request_needs_one_good_host_and_no_foreign_origin() {
        let allowed = loopback();
        assert!(allowed.allows(&request(&["127.0.0.1:8123"], &[])));
        assert!(allowed.allows(&request(&["127.0.0.1:8123"], &["http://localhost:8123"])));
        assert!(!allowed.allows(&request(&[], &[])), "no Host");
        assert!(!allowed.allows(&request(&["127.0.0.1:8123", "127.0.0.1:8123"], &[])));
        assert!(!allowed.allows(&request(&["evil.example:8123"], &[])));
        assert!(!allowed.allows(&request(&["127.0.0.1:8123"], &["http://evil.example"])));
        assert!(!allowed.allows(&request(
            &["127.0.0.1:8123"],
            &["http://127.0.0.1:8123", "http://evil.example"]
        )));
        let absolute = Addressed {
            hosts: &["127.0.0.1:8123"],
            origins: &[],
            authority: Some("evil.example:8123"),
        };
        assert!(!allowed.allows(&absolute), "a whole URL names its own host");
    }
}
