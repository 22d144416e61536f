//! The schema, with the limits that keep one request from taking the server down.

use crate::mutation::MutationRoot;
use crate::query::QueryRoot;
use crate::state::ApiState;
use crate::subscription::SubscriptionRoot;
use std::sync::Arc;

/// Mutations, each area's in its own file.
#[derive(async_graphql::MergedObject, Default)]
pub struct Mutation(MutationRoot, crate::domains::DomainMutation);

pub type ApiSchema = async_graphql::Schema<QueryRoot, Mutation, SubscriptionRoot>;

pub const MAX_DEPTH: usize = 10;
pub const MAX_COMPLEXITY: usize = 2_000;

pub fn build(state: Option<Arc<ApiState>>) -> ApiSchema {
    let builder = async_graphql::Schema::build(QueryRoot, Mutation::default(), SubscriptionRoot)
        .limit_depth(MAX_DEPTH)
        .limit_complexity(MAX_COMPLEXITY)
        .limit_recursive_depth(32)
        .limit_directives(10);
    match state {
        Some(state) => builder.data(state).finish(),
        None => builder.finish(),
    }
}

/// The depth graphql-js's introspection query needs (its type references nest 8 deep).
pub const INTROSPECTION_DEPTH: usize = 16;

/// The schema introspection-only documents run against: deeper, not more costly (an
/// introspection reads only the fixed schema; shape.rs checks a document is one).
pub fn build_for_introspection(state: Option<Arc<ApiState>>) -> ApiSchema {
    let builder = async_graphql::Schema::build(QueryRoot, Mutation::default(), SubscriptionRoot)
        .limit_depth(INTROSPECTION_DEPTH)
        .limit_complexity(MAX_COMPLEXITY * 5)
        .limit_recursive_depth(32)
        .limit_directives(10);
    match state {
        Some(state) => builder.data(state).finish(),
        None => builder.finish(),
    }
}

/// The SDL, as committed in schema/graphql/schema.graphql.
pub fn sdl() -> String {
    build(None).sdl()
}
