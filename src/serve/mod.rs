//! The pre-publish HTTP service behind `threadlint serve`.
//!
//! Owns the HTTP surface (routes, limits, error bodies, request logs), the live rule set and its
//! reloads (SIGHUP and a one-second poll of the `--rules` files), and graceful shutdown. The
//! rules live behind an `RwLock<Arc<..>>`: a request clones the `Arc` when it starts and finishes
//! on those rules even if a reload swaps in new ones meanwhile. What a request means (the
//! one-comment thread, the verdict) is in [`api`]; where rules come from is in [`rules`]. This
//! module must not match text or segment pages itself.

pub mod api;
pub mod rules;

use crate::engine::Engine;
use api::{CheckRequest, PageRequest, Policy, Verdict};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use rules::RuleSource;
use serde::Serialize;
use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};
use tokio::signal::unix::{signal, Signal, SignalKind};

/// Service settings from the command line.
#[derive(Debug, Clone)]
pub struct Config {
    pub policy: Policy,
    /// Largest request body accepted, in bytes (larger: 413).
    pub max_body: usize,
    /// Longest a request may take, body upload included (longer: 503).
    pub timeout: Duration,
    /// How often the `--rules` files are checked for changes.
    pub poll: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            policy: Policy::default(),
            max_body: 1 << 20,
            timeout: Duration::from_millis(2000),
            poll: Duration::from_secs(1),
        }
    }
}

/// One compiled rule set as served.
pub struct Live {
    pub engine: Engine,
    /// 1 for the rules loaded at start, +1 for each successful reload.
    pub generation: u64,
}

/// What every handler shares.
pub struct AppState {
    live: RwLock<Arc<Live>>,
    generation: AtomicU64,
    config: Config,
}

impl AppState {
    pub fn new(engine: Engine, config: Config) -> AppState {
        AppState {
            live: RwLock::new(Arc::new(Live {
                engine,
                generation: 1,
            })),
            generation: AtomicU64::new(1),
            config,
        }
    }

    /// The rules a request starts with. The lock is held only for the `Arc` clone.
    pub fn current(&self) -> Arc<Live> {
        // A poisoned lock still holds a valid `Arc`: no writer can panic halfway through a swap.
        self.live
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Swap in a new engine; returns its generation.
    pub fn swap(&self, engine: Engine) -> u64 {
        let generation = self.generation.fetch_add(1, Ordering::SeqCst) + 1;
        let live = Arc::new(Live { engine, generation });
        *self
            .live
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = live;
        generation
    }
}

/// The routes, limits and logging, over `state`.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.config.max_body;
    Router::new()
        .route("/healthz", get(healthz))
        .route("/v1/rules", get(list_rules))
        .route("/v1/check", post(check))
        .route("/v1/check-page", post(check_page))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(state.clone(), deadline))
        .layer(middleware::from_fn(log_request))
        .with_state(state)
}

/// A JSON error body: `{"error": "..."}`.
fn error(status: StatusCode, message: impl Into<String>) -> Response {
    #[derive(Serialize)]
    struct Body {
        error: String,
    }
    (
        status,
        Json(Body {
            error: message.into(),
        }),
    )
        .into_response()
}

/// Turn a body that could not be read into a JSON error.
fn body_error(rejection: BytesRejection, limit: usize) -> Response {
    let status = rejection.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        error(
            status,
            format!("request body is larger than the limit of {limit} bytes"),
        )
    } else {
        error(
            status,
            format!("could not read the request body: {}", rejection.body_text()),
        )
    }
}

async fn healthz() -> Response {
    Json(serde_json::json!({ "status": "ok" })).into_response()
}

async fn list_rules(State(state): State<Arc<AppState>>) -> Response {
    #[derive(Serialize)]
    struct SetInfo<'a> {
        name: &'a str,
        origin: &'a str,
        rules: usize,
    }
    #[derive(Serialize)]
    struct Body<'a> {
        rules_fingerprint: &'a str,
        generation: u64,
        sets: Vec<SetInfo<'a>>,
    }
    let live = state.current();
    Json(Body {
        rules_fingerprint: live.engine.fingerprint(),
        generation: live.generation,
        sets: live
            .engine
            .sets()
            .iter()
            .map(|s| SetInfo {
                name: &s.name,
                origin: &s.origin,
                rules: s.rules.len(),
            })
            .collect(),
    })
    .into_response()
}

async fn check(
    State(state): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) => return body_error(rejection, state.config.max_body),
    };
    let req: CheckRequest = match serde_json::from_slice(&bytes) {
        Ok(req) => req,
        Err(err) => return error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {err}")),
    };
    let live = state.current();
    // A comment is small and the body limit bounds it, so checking it inline costs less than a
    // hop to the blocking pool.
    let answer = api::check_comment(&live.engine, &state.config.policy, &req);
    let verdict = answer.verdict;
    let mut response = Json(answer).into_response();
    response.extensions_mut().insert(verdict);
    response
}

async fn check_page(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) => return body_error(rejection, state.config.max_body),
    };
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    let (name, text) = if is_json {
        match serde_json::from_slice::<PageRequest>(&bytes) {
            Ok(req) => (req.name.unwrap_or_else(|| "page".into()), req.text),
            Err(err) => return error(StatusCode::BAD_REQUEST, format!("invalid JSON body: {err}")),
        }
    } else {
        (
            "page".to_string(),
            crate::input::decode(bytes.to_vec()).text,
        )
    };
    let live = state.current();
    let policy = state.config.policy;
    // A page can be large: segment and check it on the blocking pool so the async workers keep
    // answering `/v1/check`.
    match tokio::task::spawn_blocking(move || api::check_page(&live.engine, &policy, &name, text))
        .await
    {
        Ok(answer) => {
            let verdict = answer.verdict;
            let mut response = Json(answer).into_response();
            response.extensions_mut().insert(verdict);
            response
        }
        Err(err) => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("checking the page failed: {err}"),
        ),
    }
}

async fn not_found(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::NOT_FOUND,
        format!(
            "no such endpoint: {method} {} (try POST /v1/check, POST /v1/check-page, GET /v1/rules, GET /healthz)",
            uri.path()
        ),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    error(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("{} does not accept {method}", uri.path()),
    )
}

/// The per-request deadline, body upload included.
async fn deadline(State(state): State<Arc<AppState>>, req: Request, next: Next) -> Response {
    let limit = state.config.timeout;
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(response) => response,
        Err(_) => error(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("request timed out after {} ms", limit.as_millis()),
        ),
    }
}

/// One JSON line per request on stderr.
async fn log_request(req: Request, next: Next) -> Response {
    #[derive(Serialize)]
    struct Line<'a> {
        method: &'a str,
        path: &'a str,
        status: u16,
        duration_us: u128,
        verdict: Option<&'static str>,
    }
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let response = next.run(req).await;
    let line = Line {
        method: method.as_str(),
        path: &path,
        status: response.status().as_u16(),
        duration_us: start.elapsed().as_micros(),
        verdict: response.extensions().get::<Verdict>().map(|v| v.as_str()),
    };
    log_json(&line);
    response
}

/// Write one JSON line to stderr in a single write, so lines from concurrent requests never
/// interleave. A log that cannot be written must not fail the request.
pub fn log_json<T: Serialize>(value: &T) {
    if let Ok(mut buf) = serde_json::to_vec(value) {
        buf.push(b'\n');
        let _ = std::io::stderr().lock().write_all(&buf);
    }
}

/// A bound, ready server.
pub struct Server {
    listener: tokio::net::TcpListener,
    state: Arc<AppState>,
    source: RuleSource,
    seen: Vec<rules::FileStamp>,
    hangup: Signal,
    terminate: Signal,
    interrupt: Signal,
}

impl Server {
    /// Bind `addr` and install the signal handlers, so that a SIGHUP sent as soon as the
    /// address is known reloads instead of killing the process.
    pub async fn bind(
        addr: &str,
        compiled: rules::Compiled,
        source: RuleSource,
        config: Config,
    ) -> std::io::Result<Server> {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        Ok(Server {
            listener,
            state: Arc::new(AppState::new(compiled.engine, config)),
            source,
            seen: compiled.signature,
            hangup: signal(SignalKind::hangup())?,
            terminate: signal(SignalKind::terminate())?,
            interrupt: signal(SignalKind::interrupt())?,
        })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> Arc<AppState> {
        self.state.clone()
    }

    /// Serve until SIGTERM or SIGINT, then finish the requests in flight and return.
    pub async fn run(self) -> std::io::Result<()> {
        let Server {
            listener,
            state,
            source,
            seen,
            hangup,
            mut terminate,
            mut interrupt,
        } = self;
        let addr = listener.local_addr()?;
        let live = state.current();
        log_json(&serde_json::json!({
            "event": "listening",
            "addr": addr.to_string(),
            "rules_fingerprint": live.engine.fingerprint(),
            "sets": live.engine.sets().len(),
        }));
        drop(live);
        let reloader = tokio::spawn(watch(state.clone(), source, seen, hangup));
        let shutdown = async move {
            let signal = tokio::select! {
                _ = terminate.recv() => "SIGTERM",
                _ = interrupt.recv() => "SIGINT",
            };
            log_json(&serde_json::json!({ "event": "shutdown", "signal": signal }));
        };
        let served = axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown)
            .await;
        reloader.abort();
        log_json(&serde_json::json!({ "event": "stopped" }));
        served
    }
}

/// Reload on SIGHUP and whenever the rule files' signature changes.
async fn watch(
    state: Arc<AppState>,
    source: RuleSource,
    mut seen: Vec<rules::FileStamp>,
    mut hangup: Signal,
) {
    let source = Arc::new(source);
    let mut tick = tokio::time::interval(state.config.poll);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let trigger = tokio::select! {
            _ = hangup.recv() => "SIGHUP",
            _ = tick.tick() => "poll",
        };
        let s = source.clone();
        let now = tokio::task::spawn_blocking(move || s.signature())
            .await
            .unwrap_or_default();
        if trigger == "poll" && now == seen {
            continue;
        }
        seen = now;
        let s = source.clone();
        // Compiling a large rule set takes a while: keep it off the async workers.
        let compiled = match tokio::task::spawn_blocking(move || s.compile()).await {
            Ok(result) => result,
            Err(err) => Err(vec![format!("rule compilation panicked: {err}")]),
        };
        reload(&state, trigger, compiled);
    }
}

/// Swap in freshly compiled rules, or log why not and keep the old ones.
pub fn reload(state: &AppState, trigger: &str, compiled: Result<rules::Compiled, Vec<String>>) {
    match compiled {
        Ok(compiled) => {
            let fingerprint = compiled.engine.fingerprint().to_string();
            let sets = compiled.engine.sets().len();
            let generation = state.swap(compiled.engine);
            log_json(&serde_json::json!({
                "event": "reload",
                "trigger": trigger,
                "ok": true,
                "generation": generation,
                "rules_fingerprint": fingerprint,
                "sets": sets,
                "warnings": compiled.warnings,
            }));
        }
        Err(errors) => {
            let live = state.current();
            log_json(&serde_json::json!({
                "event": "reload",
                "trigger": trigger,
                "ok": false,
                "errors": errors,
                "kept_generation": live.generation,
                "kept_rules_fingerprint": live.engine.fingerprint(),
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Target;
    use std::path::Path;

    #[test]
    fn a_request_keeps_the_rules_it_started_with() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/rules.yaml");
        let source = RuleSource {
            paths: vec![fixture],
            bundled: false,
        };
        let compiled = source.compile().expect("the fixture compiles");
        let state = AppState::new(compiled.engine, Config::default());
        let held = state.current();
        assert_eq!(held.generation, 1);
        // A reload to an empty rule set lands while the request still holds its rules.
        let empty = Engine::new(Vec::new()).expect("no rules compile");
        assert_eq!(state.swap(empty), 2);
        assert_eq!(held.generation, 1);
        assert_eq!(
            held.engine.check_text("you snorkelwit", Target::Body).len(),
            1
        );
        let now = state.current();
        assert_eq!(now.generation, 2);
        assert!(now
            .engine
            .check_text("you snorkelwit", Target::Body)
            .is_empty());
    }
}
