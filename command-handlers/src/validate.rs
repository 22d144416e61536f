//! Shape checks shared by the aggregates: names, slugs, emails, env var keys.

use crate::error::DomainError;

/// Lowercase letters, digits and single dashes; 1–48 long; no leading or trailing dash.
/// Slugs become host names (`<slug>.localhost`), so they follow DNS label rules.
pub fn slug(field: &'static str, value: &str) -> Result<(), DomainError> {
    let ok_chars = value.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if value.is_empty() || value.len() > 48 {
        return Err(DomainError::invalid(field, "must be 1 to 48 characters"));
    }
    if !ok_chars || value.starts_with('-') || value.ends_with('-') || value.contains("--") {
        return Err(DomainError::invalid(
            field,
            format!("`{value}` must be lowercase letters, digits and single dashes, not at either end"),
        ));
    }
    Ok(())
}

/// A display name: 1–100 characters, no control characters.
pub fn name(field: &'static str, value: &str) -> Result<(), DomainError> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > 100 {
        return Err(DomainError::invalid(field, "must be 1 to 100 characters"));
    }
    if value.chars().any(char::is_control) {
        return Err(DomainError::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

/// A plausible address: one `@`, something on each side, a dot in the domain.
pub fn email(field: &'static str, value: &str) -> Result<(), DomainError> {
    let valid = match value.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !value.chars().any(|c| c.is_whitespace() || c.is_control())
                && value.matches('@').count() == 1
                && value.len() <= 254
        }
        None => false,
    };
    if valid { Ok(()) } else { Err(DomainError::invalid(field, format!("`{value}` is not an email address"))) }
}

/// Shell-safe: letters, digits and underscores, not starting with a digit, ≤ 256.
pub fn env_key(field: &'static str, value: &str) -> Result<(), DomainError> {
    let first_ok = value.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if !first_ok || !rest_ok || value.len() > 256 {
        return Err(DomainError::invalid(
            field,
            format!("`{value}` must be letters, digits and underscores, not starting with a digit"),
        ));
    }
    Ok(())
}

/// One of a fixed set of words.
pub fn one_of(field: &'static str, value: &str, allowed: &[&str]) -> Result<(), DomainError> {
    if allowed.contains(&value) {
        Ok(())
    } else {
        Err(DomainError::invalid(field, format!("`{value}` must be one of {}", allowed.join(", "))))
    }
}
