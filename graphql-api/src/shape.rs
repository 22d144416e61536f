//! A request's shape, looked at before it runs: how many fields it selects (so a flood of
//! aliases is refused before any resolver runs) and whether it only introspects the schema
//! (stock tools, GraphiQL, Apollo and graphql-codegen, send graphql-js's
//! `getIntrospectionQuery()`, which is deeper than user queries may be; it reads only the
//! schema, whose size is fixed, so it runs under its own, wider depth limit).

use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};

/// The most fields (aliases included, fragments counted where they are spread) a document may
/// select. graphql-js's introspection query selects about 50.
pub const MAX_FIELDS: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub fields: usize,
    /// Every operation selects only `__schema`, `__type` and `__typename` at its root.
    pub introspection_only: bool,
    /// Some operation is a mutation (the only kind with effects to keep from repeating).
    pub mutation: bool,
    /// The most root fields any one mutation operation selects (fragments spread at its root
    /// counted; `__typename` not): each is a separate effect.
    pub mutation_fields: usize,
}

/// The shape of `document`; fragments spread inside fragments are followed up to a depth
/// (deeper cycles are the validator's to refuse).
pub fn shape(document: &ExecutableDocument) -> Shape {
    let mut fields = 0;
    let mut introspection_only = true;
    let mut mutation = false;
    let mut mutation_fields = 0;
    for (_, operation) in document.operations.iter() {
        if operation.node.ty == async_graphql::parser::types::OperationType::Mutation {
            mutation = true;
            mutation_fields = mutation_fields.max(count(document, &operation.node.selection_set.node, 0, false));
        }
        for item in &operation.node.selection_set.node.items {
            match &item.node {
                Selection::Field(field) if field.node.name.node.starts_with("__") => {}
                _ => introspection_only = false,
            }
        }
        fields += count(document, &operation.node.selection_set.node, 0, true);
    }
    Shape { fields, introspection_only, mutation, mutation_fields }
}

/// The fields `set` selects, through fragments: with `nested`, every field at every depth (the
/// document's size); without, the root's only, less `__`-fields (its effects, for a mutation).
fn count(document: &ExecutableDocument, set: &SelectionSet, depth: usize, nested: bool) -> usize {
    if depth > 64 {
        return MAX_FIELDS + 1;
    }
    let within = |set: &SelectionSet| count(document, set, depth + 1, nested);
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(field) if nested => 1 + within(&field.node.selection_set.node),
            Selection::Field(field) => usize::from(!field.node.name.node.starts_with("__")),
            Selection::InlineFragment(fragment) => within(&fragment.node.selection_set.node),
            Selection::FragmentSpread(spread) => document
                .fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |fragment| within(&fragment.node.selection_set.node)),
        })
        .fold(0usize, usize::saturating_add)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn aliases_count_and_introspection_is_recognized() {
        let flood = format!("{{ {} }}", (0..2_000).map(|i| format!("a{i}: __typename")).collect::<Vec<_>>().join(" "));
        let parsed = async_graphql::parser::parse_query(&flood).unwrap();
        assert_eq!(shape(&parsed).fields, 2_000);
        let introspection = async_graphql::parser::parse_query(
            "query I { __schema { types { ...T } } } fragment T on __Type { name fields { name type { ...R } } } \
             fragment R on __Type { kind ofType { kind ofType { name } } }",
        )
        .unwrap();
        let found = shape(&introspection);
        assert!(found.introspection_only);
        assert!(found.fields > 5 && found.fields < 50, "{found:?}");
        let mixed =
            async_graphql::parser::parse_query("{ __schema { queryType { name } } organizations { slug } }").unwrap();
        assert!(!shape(&mixed).introspection_only);
    }

    #[test]
    fn a_mutation_counts_its_root_fields_through_fragments() {
        let one = async_graphql::parser::parse_query("mutation { a { id } __typename }").unwrap();
        assert_eq!(shape(&one).mutation_fields, 1);
        let spread = async_graphql::parser::parse_query(
            "mutation M { a { id } ...F ... on Mutation { c } } fragment F on Mutation { b { id } }",
        )
        .unwrap();
        assert_eq!(shape(&spread).mutation_fields, 3);
        let query = async_graphql::parser::parse_query("{ a b c }").unwrap();
        assert_eq!(shape(&query).mutation_fields, 0);
    }
}
