//! Numbered placeholders for statements built at run time. sqlx's Any driver formats `?`,
//! which PostgreSQL does not accept; `$n` works on both backends.

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` values.
pub fn values(rows: usize, columns: usize) -> String {
    (0..rows)
        .map(|r| {
            let cells: Vec<String> = (1..=columns).map(|c| format!("${}", r * columns + c)).collect();
            format!("({})", cells.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$1, $2, $3` for an `IN (…)` list.
pub fn list(count: usize) -> String {
    (1..=count).map(|n| format!("${n}")).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn numbers_run_across_rows() {
        assert_eq!(super::values(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(super::list(3), "$1, $2, $3");
    }
}
