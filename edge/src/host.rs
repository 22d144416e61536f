//! Which deployment a Host names: `<deployment-id>-<project>.<base>` is one deployment's own
//! immutable URL; `<project>.<base>` is the project's production alias; any other name may be
//! a custom domain (which the route table knows only once it is verified).

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Target {
    Deployment {
        deployment_id: String,
        project: String,
    },
    Production {
        project: String,
    },
    /// A name outside the base domain, lowercase, without port or trailing dot.
    Custom {
        hostname: String,
    },
}

/// A `Host` value split into its name and its port (`name:port`; a last part that is not
/// digits is no port).
pub fn split_port(host: &str) -> (&str, Option<&str>) {
    match host.rsplit_once(':') {
        Some((name, port)) if !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()) => (name, Some(port)),
        _ => (host, None),
    }
}

/// A host's name as DNS compares it (RFC 4343): lowercase, no port, no trailing dot.
pub fn hostname(host: &str) -> String {
    split_port(host).0.trim_end_matches('.').to_ascii_lowercase()
}

/// Whether `name` (lowercase) is `base` or a name under it.
pub fn under(name: &str, base: &str) -> bool {
    name.strip_suffix(base).is_some_and(|rest| rest.is_empty() || rest.ends_with('.'))
}

/// Parses a Host header against the base domain (the port, if any, is ignored).
pub fn target(host: &str, base_domain: &str) -> Option<Target> {
    let host = hostname(host);
    if host.is_empty() {
        return None;
    }
    let Some(label) = host.strip_suffix(base_domain).and_then(|rest| rest.strip_suffix('.')) else {
        // The base domain itself, or a name that only ends like it, is no custom domain.
        if under(&host, base_domain) {
            return None;
        }
        return Some(Target::Custom { hostname: host });
    };
    if label.is_empty() || label.contains('.') {
        return None;
    }
    // A UUID is 36 characters; the project slug follows after one dash.
    if label.len() > 37 && label.as_bytes()[36] == b'-' && uuid::Uuid::parse_str(&label[..36]).is_ok() {
        return Some(Target::Deployment { deployment_id: label[..36].to_string(), project: label[37..].to_string() });
    }
    Some(Target::Production { project: label.to_string() })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_name_a_deployment_or_a_production_alias() {
        let id = "01a21c33-b6cb-75ac-afc8-ebcc4c6d0c4d";
        assert_eq!(target("blog.localhost:8080", "localhost"), Some(Target::Production { project: "blog".into() }));
        assert_eq!(target("Blog.LocalHost.", "localhost"), Some(Target::Production { project: "blog".into() }));
        assert_eq!(
            target(&format!("{id}-my-blog.localhost"), "localhost"),
            Some(Target::Deployment { deployment_id: id.into(), project: "my-blog".into() })
        );
        assert_eq!(target("localhost", "localhost"), None);
        assert_eq!(target("a.b.localhost", "localhost"), None);
        assert_eq!(
            target("Shop.Example.com.:8443", "localhost"),
            Some(Target::Custom { hostname: "shop.example.com".into() })
        );
        assert_eq!(target("evil-localhost", "localhost"), Some(Target::Custom { hostname: "evil-localhost".into() }));
        assert_eq!(target("", "localhost"), None);
        assert_eq!(split_port("shop.example.com:8443"), ("shop.example.com", Some("8443")));
        assert_eq!(split_port("[::1]"), ("[::1]", None));
        assert!(under("a.localhost", "localhost") && under("localhost", "localhost"));
        assert!(!under("evil-localhost", "localhost"));
    }
}
