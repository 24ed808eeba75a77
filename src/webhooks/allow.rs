//! Where webhooks may call (`SAFETRACE_WEBHOOK_ALLOW`): host names and networks. Nothing
//! by default. A URL's host is allowed when its name is listed, or when it (an address)
//! or every address it resolves to lies in a listed network; the call then goes to the
//! address that was checked, so a second lookup cannot lead elsewhere.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

use crate::auth::client::Cidr;

/// One entry: a host name, or an address or network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Allowed {
    Host(String),
    Net(Cidr),
}

impl FromStr for Allowed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s.is_empty() {
            return Err("an empty entry".into());
        }
        if let Ok(net) = s.parse::<Cidr>() {
            return Ok(Allowed::Net(net));
        }
        let name = s.to_ascii_lowercase();
        let valid = name.split('.').all(|label| {
            !label.is_empty() && label.len() <= 63 && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
        if valid && !s.contains('/') {
            Ok(Allowed::Host(name))
        } else {
            Err(format!("`{s}` is neither a host name nor an address or network"))
        }
    }
}

impl fmt::Display for Allowed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Allowed::Host(h) => f.write_str(h),
            Allowed::Net(n) => n.fmt(f),
        }
    }
}

/// Every entry of `SAFETRACE_WEBHOOK_ALLOW`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AllowList(pub Vec<Allowed>);

impl AllowList {
    fn names(&self, host: &str) -> bool {
        let host = host.trim_end_matches('.').to_ascii_lowercase();
        self.0.iter().any(|a| matches!(a, Allowed::Host(h) if *h == host))
    }

    fn holds(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|a| matches!(a, Allowed::Net(n) if n.contains(ip)))
    }

    /// The addresses a call to `host` may use among those it resolved to: all of them
    /// when the name is listed, else those in a listed network; none when any is outside
    /// (a name that resolves partly inside is refused as a whole).
    pub fn admit(&self, host: &str, resolved: &[SocketAddr]) -> Vec<SocketAddr> {
        if self.0.is_empty() || resolved.is_empty() {
            return Vec::new();
        }
        if self.names(host) {
            return resolved.to_vec();
        }
        if resolved.iter().all(|a| self.holds(a.ip())) {
            resolved.to_vec()
        } else {
            Vec::new()
        }
    }
}

/// The host and port of an `http` or `https` URL.
pub fn host_port(url: &str) -> Option<(String, u16)> {
    let uri: actix_web::http::Uri = url.parse().ok()?;
    let port = match uri.scheme_str()? {
        "http" => uri.port_u16().unwrap_or(80),
        "https" => uri.port_u16().unwrap_or(443),
        _ => return None,
    };
    let host = uri.host()?.trim_start_matches('[').trim_end_matches(']').to_string();
    Some((host, port))
}

/// Resolves `host` (on a blocking thread: the system's resolver) and answers the
/// addresses the list admits; empty when none may be called.
pub async fn resolve(list: &AllowList, host: &str, port: u16) -> Vec<SocketAddr> {
    if list.0.is_empty() {
        return Vec::new();
    }
    let target = format!("{host}:{port}");
    let resolved = actix_web::web::block(move || {
        use std::net::ToSocketAddrs;
        target.to_socket_addrs().map(|a| a.collect::<Vec<_>>()).unwrap_or_default()
    })
    .await
    .unwrap_or_default();
    list.admit(host, &resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(s: &str) -> AllowList {
        AllowList(s.split(',').map(|e| e.parse().unwrap()).collect())
    }

    fn addrs(ips: &[&str]) -> Vec<SocketAddr> {
        ips.iter().map(|i| SocketAddr::new(i.parse().unwrap(), 80)).collect()
    }

    #[test]
    fn names_and_networks() {
        let l = list("hooks.example.org,10.0.0.0/8");
        assert_eq!(l.admit("hooks.example.org", &addrs(&["127.0.0.1"])).len(), 1, "a listed name");
        assert_eq!(l.admit("other.example.org", &addrs(&["10.1.2.3"])).len(), 1, "inside a network");
        assert!(l.admit("other.example.org", &addrs(&["10.1.2.3", "127.0.0.1"])).is_empty(), "partly outside");
        assert!(l.admit("evil.example.org", &addrs(&["169.254.169.254"])).is_empty());
        assert!(AllowList::default().admit("hooks.example.org", &addrs(&["10.1.2.3"])).is_empty(), "empty: nothing");
        assert!("http://x/".parse::<Allowed>().is_err());
        assert_eq!(host_port("https://a.example/x"), Some(("a.example".into(), 443)));
        assert_eq!(host_port("http://127.0.0.1:9/x"), Some(("127.0.0.1".into(), 9)));
        assert_eq!(host_port("ftp://a.example/x"), None);
    }
}
