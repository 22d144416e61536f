//! The HTTP side: `POST /graphql`, GraphiQL on `GET /graphql` and the dashboard on every other
//! `GET` (both from `clouddeck_dashboard`, built into the binary), subscriptions over WebSocket
//! (graphql-transport-ws) on `/graphql/ws`, with auth, rate limits, a body limit and
//! idempotency keys in front of the schema.

use crate::auth::{Principal, authenticate};
use crate::error::{BAD_USER_INPUT, INTERNAL, RATE_LIMITED, UNAUTHENTICATED};
use crate::idempotency::Idempotency;
use crate::rate_limit::RateLimiter;
use crate::schema::{ApiSchema, build};
use crate::state::{ApiState, now_ms};
use crate::uploads::{MissingRequest, UploadTarget};
use async_graphql::Data;
use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::Json;
use axum::Router;
use axum::extract::Query;
use axum::extract::ws::WebSocketUpgrade;
use axum::extract::{ConnectInfo, State};
use axum::extract::{DefaultBodyLimit, Path as AxumPath};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use std::net::SocketAddr;
use std::sync::Arc;
use tower_http::limit::RequestBodyLimitLayer;

#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Requests per second per caller, and the burst allowed above it.
    pub rate_per_second: f64,
    pub burst: u32,
    pub body_limit: usize,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig { rate_per_second: 50.0, burst: 200, body_limit: 256 * 1024 }
    }
}

#[derive(Clone)]
struct Http {
    schema: ApiSchema,
    /// The same schema with the depth an introspection query needs (shape.rs).
    introspection: ApiSchema,
    body_limit: usize,
    state: Arc<ApiState>,
    limiter: Arc<RateLimiter>,
    idempotency: Arc<Idempotency>,
    principals: Arc<crate::auth::PrincipalCache>,
}

pub fn router(state: Arc<ApiState>, config: ApiConfig) -> Router {
    let idempotency = Idempotency::start(state.read_db.clone(), state.sealer.clone(), state.store.clone());
    let limiter = Arc::new(RateLimiter::new(config.rate_per_second, config.burst).shared_in(&state.read_db, "api:"));
    let http = Http {
        schema: build(Some(state.clone())),
        introspection: crate::schema::build_for_introspection(Some(state.clone())),
        body_limit: config.body_limit,
        state,
        limiter,
        idempotency,
        principals: Arc::default(),
    };
    // Uploads are streamed to disk and their size limit enforced as they come (uploads.rs).
    let uploads = Router::new()
        .route("/v1/blobs/{sha256}", put(upload_blob))
        .route("/v1/blobs", post(upload_batch))
        .layer(DefaultBodyLimit::disable());
    Router::new()
        .route("/graphql/ws", get(websocket))
        .route("/v1/hooks/github/{project}", post(github_hook))
        .route("/healthz", get(|| async { "ok" }))
        .layer(RequestBodyLimitLayer::new(config.body_limit))
        // (up to 20,000 hashes at once: larger than a GraphQL request)
        .merge(Router::new().route("/v1/blobs/missing", post(missing_blobs)).layer(RequestBodyLimitLayer::new(4 << 20)))
        .merge(uploads)
        // (`graphql` reads its body within the limit itself, to answer in the API's contract)
        .route("/graphql", get(clouddeck_dashboard::explorer).post(graphql))
        // The dashboard: every other GET is the app (or one of its built files).
        .fallback(clouddeck_dashboard::serve)
        .with_state(http)
}

/// Serves until the listener fails; bind it first (port 0 gives a free port).
pub async fn serve(listener: tokio::net::TcpListener, router: Router) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    // Small answers go out at once rather than waiting on Nagle's algorithm.
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!(error = %e, "TCP_NODELAY");
        }
    });
    axum::serve(listener, router.into_make_service_with_connect_info::<SocketAddr>()).await
}

fn graphql_error(status: StatusCode, code: &str, message: &str) -> Response {
    crate::uploads::refusal(status, code, message)
}

/// Who is calling, within their rate; or the response that refuses them.
async fn admit(http: &Http, peer: SocketAddr, headers: &HeaderMap) -> Result<(Principal, String), Response> {
    let authorization = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok());
    let position = *http.state.projected.borrow();
    let principal = match http.principals.authenticate(&http.state.read_db, authorization, now_ms(), position).await {
        Ok(principal) => principal,
        Err(crate::auth::AuthError::Db(e)) => {
            tracing::error!(error = %e, "authenticating a request");
            return Err(graphql_error(StatusCode::INTERNAL_SERVER_ERROR, INTERNAL, "internal error"));
        }
        Err(e) => return Err(graphql_error(StatusCode::UNAUTHORIZED, UNAUTHENTICATED, &e.to_string())),
    };
    // Limited per token (wherever it is used from) and per address (whatever tokens it uses).
    let address = format!("address:{}", peer.ip());
    let caller = principal.key().unwrap_or_else(|| address.clone());
    let limited = match (http.limiter.take(&address).await, principal.key()) {
        (Ok(()), Some(token)) => http.limiter.take(&token).await,
        (answer, _) => answer,
    };
    if let Err(wait) = limited {
        let mut response = graphql_error(StatusCode::TOO_MANY_REQUESTS, RATE_LIMITED, "too many requests; slow down");
        let seconds = wait.as_secs() + 1;
        if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        return Err(response);
    }
    Ok((principal, caller))
}

/// `POST /graphql`: the body read within its limit and parsed here, so that a body too large
/// or not JSON gets the API's error contract (413 or 400, JSON with `extensions.code`) rather
/// than a framework's text; a document selecting more than `MAX_FIELDS` fields is refused
/// before it runs; an introspection-only document runs against the introspection schema.
async fn graphql(
    State(http): State<Http>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let (principal, caller) = match admit(&http, peer, &headers).await {
        Ok(admitted) => admitted,
        Err(refused) => return refused,
    };
    let bytes = match axum::body::to_bytes(body, http.body_limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            let message = format!("the request body is over {} KiB", http.body_limit / 1024);
            // The rest of the body was not read: the connection closes after this answer, and
            // says so, so that no client sends its next request down it (RFC 9112, §9.6).
            let mut refused = graphql_error(StatusCode::PAYLOAD_TOO_LARGE, BAD_USER_INPUT, &message);
            refused.headers_mut().insert(axum::http::header::CONNECTION, axum::http::HeaderValue::from_static("close"));
            return refused;
        }
    };
    let mut request: async_graphql::Request = match serde_json::from_slice(&bytes) {
        Ok(request) => request,
        Err(e) => {
            let message = format!("the body is not a GraphQL request in JSON ({{\"query\": …}}): {e}");
            return graphql_error(StatusCode::BAD_REQUEST, BAD_USER_INPUT, &message);
        }
    };
    // Parsed once: the schema runs the document parsed here (a parse error is answered by it).
    let shape = request.parsed_query().ok().map(crate::shape::shape);
    if let Some(shape) = shape
        && shape.fields > crate::shape::MAX_FIELDS
    {
        let message =
            format!("the query selects {} fields: at most {} are allowed", shape.fields, crate::shape::MAX_FIELDS);
        // (200, as for any other document that fails validation: GraphQL over HTTP, §6.4.1
        // for `application/json` responses)
        return graphql_error(StatusCode::OK, BAD_USER_INPUT, &message);
    }
    let schema = if shape.is_some_and(|s| s.introspection_only) { &http.introspection } else { &http.schema };
    let signed_in = principal != Principal::Anonymous;
    let request = request.data(principal);
    // An Idempotency-Key is kept for a signed-in caller's mutation: queries have no effect to
    // repeat, and keeping anonymous callers' answers would let anyone fill the database.
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(value) => match value.to_str().ok().filter(|k| valid_idempotency_key(k)) {
            Some(key) => Some(key),
            None => {
                let message = "Idempotency-Key must be 1 to 255 visible ASCII characters";
                return graphql_error(StatusCode::BAD_REQUEST, BAD_USER_INPUT, message);
            }
        },
    };
    let kept = signed_in && shape.is_some_and(|s| s.mutation);
    if let Some(shape) = shape.filter(|s| kept && key.is_some() && s.mutation_fields > 1) {
        // A retry after a lost answer can only tell whether the request wrote anything, not
        // which of its mutations did: one effect per key keeps "took effect" true.
        let message = format!(
            "a request with an Idempotency-Key may run one mutation field; this one runs {}: send each with its own key",
            shape.mutation_fields
        );
        return graphql_error(StatusCode::UNPROCESSABLE_ENTITY, BAD_USER_INPUT, &message);
    }
    let (status, body) = match key.filter(|_| kept) {
        Some(key) => {
            let schema = schema.clone();
            let run = move |correlation| async move { execute(&schema, request.data(correlation)).await };
            http.idempotency.answer(&caller, key, &bytes, run).await
        }
        None => execute(schema, request).await,
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    // Answers carry a caller's data (one-time secrets among them): never stored by a cache.
    let headers = [
        (header::CONTENT_TYPE, "application/json"),
        (header::CACHE_CONTROL, "no-store"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
    ];
    (status, headers, body).into_response()
}

/// A key as the IETF draft's examples and Stripe's take them: visible ASCII, at most 255.
fn valid_idempotency_key(key: &str) -> bool {
    (1..=255).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_graphic())
}

async fn execute(schema: &ApiSchema, request: async_graphql::Request) -> (u16, String) {
    let mut response = schema.execute(request).await;
    // Parse and validation errors (depth, complexity, wrong types) come without a code:
    // they are the caller's to fix.
    for error in &mut response.errors {
        let coded = error.extensions.as_ref().is_some_and(|e| e.get("code").is_some());
        if !coded {
            error.extensions.get_or_insert_with(Default::default).set("code", BAD_USER_INPUT);
        }
    }
    match serde_json::to_string(&response) {
        Ok(body) => (200, body),
        Err(_) => (500, crate::error::INTERNAL_BODY.into()),
    }
}

/// The token comes in `connection_init`'s payload (`{"Authorization": "Bearer …"}`), as
/// browsers cannot set headers on a WebSocket.
async fn websocket(State(http): State<Http>, protocol: GraphQLProtocol, upgrade: WebSocketUpgrade) -> Response {
    upgrade.protocols(ALL_WEBSOCKET_PROTOCOLS).on_upgrade(move |socket| {
        let state = http.state.clone();
        GraphQLWebSocket::new(socket, http.schema.clone(), protocol)
            .on_connection_init(move |payload| async move {
                let header = payload
                    .get("Authorization")
                    .or_else(|| payload.get("authorization"))
                    .and_then(|v| v.as_str())
                    .map(str::to_string);
                let principal = authenticate(&state.read_db, header.as_deref(), now_ms())
                    .await
                    .map_err(|e| async_graphql::Error::new(e.to_string()))?;
                if principal == Principal::Anonymous {
                    return Err(async_graphql::Error::new("connection_init needs an Authorization bearer token"));
                }
                let mut data = Data::default();
                data.insert(principal);
                Ok(data)
            })
            .serve()
    })
}

/// `admit`, for endpoints that need a signed-in caller.
async fn admit_signed_in(http: &Http, peer: SocketAddr, headers: &HeaderMap) -> Result<Principal, Response> {
    match admit(http, peer, headers).await? {
        (Principal::Anonymous, _) => Err(graphql_error(StatusCode::UNAUTHORIZED, UNAUTHENTICATED, "sign in first")),
        (principal, _) => Ok(principal),
    }
}

/// Which blobs the client must upload for a project (see uploads.rs).
async fn missing_blobs(
    State(http): State<Http>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Result<Json<MissingRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let principal = match admit_signed_in(&http, peer, &headers).await {
        Ok(principal) => principal,
        Err(refused) => return refused,
    };
    match body {
        Ok(Json(request)) => crate::uploads::missing(&http.state, &principal, request).await,
        Err(rejection) => graphql_error(StatusCode::BAD_REQUEST, BAD_USER_INPUT, &rejection.body_text()),
    }
}

/// Stores one blob for a project, streamed (see uploads.rs).
async fn upload_blob(
    State(http): State<Http>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    AxumPath(sha256): AxumPath<String>,
    Query(target): Query<UploadTarget>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let principal = match admit_signed_in(&http, peer, &headers).await {
        Ok(principal) => principal,
        Err(refused) => return refused,
    };
    crate::uploads::upload(&http.state, &principal, &sha256, target, &headers, body).await
}

/// Stores many blobs for a project in one request (see uploads.rs).
async fn upload_batch(
    State(http): State<Http>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(target): Query<UploadTarget>,
    headers: HeaderMap,
    body: axum::body::Body,
) -> Response {
    let principal = match admit_signed_in(&http, peer, &headers).await {
        Ok(principal) => principal,
        Err(refused) => return refused,
    };
    crate::uploads::upload_batch(&http.state, &principal, target, body).await
}

/// GitHub's push webhook: limited per address like any anonymous caller.
async fn github_hook(
    State(http): State<Http>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    AxumPath(project): AxumPath<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let mut anonymous = headers.clone();
    anonymous.remove(header::AUTHORIZATION);
    if let Err(refused) = admit(&http, peer, &anonymous).await {
        return refused;
    }
    crate::github_hook::github(&http.state, &project, peer.ip(), &headers, &body).await
}
