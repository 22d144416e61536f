//! What a custom domain's hostname may be. Normalized the way DNS compares names (RFC 4343:
//! case does not matter; a trailing dot names the root), internationalized names in punycode
//! (UTS #46 / IDNA 2008 through the `idna` crate), and refused when it could not be a public
//! DNS name that belongs to a customer.

use crate::error::DomainError;
use std::net::IpAddr;

/// The longest name (RFC 1035 §2.3.4: 255 octets on the wire, 253 as text).
pub const MAX_NAME: usize = 253;
/// The longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL: usize = 63;

/// `input` as stored: lowercase ASCII, no trailing dot, punycode for non-ASCII labels.
///
/// Errors: `Invalid` on `field`, naming the rule: an IP address; `localhost` and names under
/// it (RFC 6761 §6.3); `base_domain` and every name under it (they are deployment hosts); a
/// single label; an empty label, a label over 63 bytes or a name over 253; anything but
/// letters, digits and inner hyphens in a label (RFC 952 / RFC 1123 §2.1: no underscores); a
/// numeric last label.
pub fn hostname(field: &'static str, input: &str, base_domain: &str) -> Result<String, DomainError> {
    let text = input.trim();
    let text = text.strip_suffix('.').unwrap_or(text);
    if text.is_empty() {
        return Err(DomainError::invalid(field, "is empty"));
    }
    if text.trim_start_matches('[').trim_end_matches(']').parse::<IpAddr>().is_ok() {
        return Err(DomainError::invalid(field, "an IP address cannot be a custom domain: use a DNS name"));
    }
    if text.split('.').any(str::is_empty) {
        return Err(DomainError::invalid(field, "has an empty label (`..`, or a leading dot)"));
    }
    if let Some(label) = text.split('.').find(|label| label.contains('_')) {
        return Err(DomainError::invalid(
            field,
            format!("label `{label}` may hold only letters, digits and hyphens (no underscores)"),
        ));
    }
    let ascii = idna::domain_to_ascii(text)
        .map_err(|_| DomainError::invalid(field, "is not a valid internationalized domain name (IDNA)"))?;
    if ascii == "localhost" || ascii.ends_with(".localhost") {
        return Err(DomainError::invalid(field, "`localhost` names are reserved for loopback (RFC 6761)"));
    }
    if ascii.len() > MAX_NAME {
        return Err(DomainError::invalid(field, format!("is longer than {MAX_NAME} characters")));
    }
    let labels: Vec<&str> = ascii.split('.').collect();
    for label in &labels {
        if label.is_empty() {
            return Err(DomainError::invalid(field, "has an empty label"));
        }
        if label.len() > MAX_LABEL {
            return Err(DomainError::invalid(field, format!("has a label longer than {MAX_LABEL} characters")));
        }
        if !label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return Err(DomainError::invalid(
                field,
                format!("label `{label}` may hold only letters, digits and hyphens (no underscores)"),
            ));
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(DomainError::invalid(field, format!("label `{label}` may not start or end with a hyphen")));
        }
    }
    if labels.len() < 2 {
        return Err(DomainError::invalid(field, "must have at least two labels, as `example.com`"));
    }
    if labels.last().is_some_and(|tld| tld.bytes().all(|b| b.is_ascii_digit())) {
        return Err(DomainError::invalid(field, "ends in a numeric label: it reads as an IP address"));
    }
    let base = base_domain.trim_end_matches('.').to_ascii_lowercase();
    if !base.is_empty() && (ascii == base || ascii.ends_with(&format!(".{base}"))) {
        return Err(DomainError::invalid(
            field,
            format!("`{base}` and the names under it belong to this server's deployments"),
        ));
    }
    Ok(ascii)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn refused(input: &str) -> String {
        match hostname("hostname", input, "deploy.example.net") {
            Err(DomainError::Invalid { reason, .. }) => reason,
            other => panic!("{input}: expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn names_are_normalized_to_lowercase_ascii_without_the_root_dot() {
        let ok = |input: &str| hostname("hostname", input, "deploy.example.net").unwrap();
        assert_eq!(ok("WWW.Example.COM."), "www.example.com");
        assert_eq!(ok(" shop.example.com "), "shop.example.com");
        assert_eq!(ok("bücher.example"), "xn--bcher-kva.example");
        assert_eq!(ok("xn--bcher-kva.example"), "xn--bcher-kva.example");
        assert_eq!(ok("a-b.example.com"), "a-b.example.com");
    }

    #[test]
    fn every_rule_names_itself() {
        assert!(refused("127.0.0.1").contains("IP address"));
        assert!(refused("::1").contains("IP address"));
        assert!(refused("[2001:db8::1]").contains("IP address"));
        assert!(refused("1.2.3").contains("numeric"));
        assert!(refused("localhost").contains("localhost"));
        assert!(refused("app.localhost").contains("localhost"));
        assert!(refused("deploy.example.net").contains("belong to this server"));
        assert!(refused("blog.Deploy.Example.net.").contains("belong to this server"));
        assert!(refused(&format!("{}.example.com", "a".repeat(64))).contains("longer than 63"));
        let long = format!("{}.com", ["abcdefghij"; 25].join("."));
        assert!(refused(&long).contains("longer than 253"));
        assert!(refused("my_site.example.com").contains("no underscores"));
        assert!(refused("a..example.com").contains("empty label"));
        assert!(refused(".example.com").contains("empty label"));
        assert!(refused("-a.example.com").contains("hyphen"));
        assert!(refused("com").contains("two labels"));
        assert!(refused("").contains("empty"));
        assert_eq!(
            hostname("hostname", "evil-deploy.example.net", "deploy.example.net").unwrap(),
            "evil-deploy.example.net"
        );
    }
}
