//! `threadlint serve` end to end: each test starts the real binary on an ephemeral loopback
//! port, sends real HTTP requests, and kills the server when its guard drops.
//!
//! The rules come from `tests/fixtures/serve/rules.yaml` with `--no-default-rules`, so the
//! verdicts do not move when the bundled rule sets change.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/rules.yaml")
}

/// A running server; killed when dropped, so a failing test leaves nothing behind.
struct Server {
    child: Child,
    base: String,
    addr: String,
    /// Every stderr line so far (the JSON request and reload logs).
    log: Arc<Mutex<Vec<String>>>,
    agent: ureq::Agent,
}

impl Server {
    fn start(args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_threadlint"))
            .arg("serve")
            .args(["--addr", "127.0.0.1:0", "--no-default-rules"])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start threadlint serve");
        let log = Arc::new(Mutex::new(Vec::new()));
        // Drain stderr on a thread: a server whose log pipe fills up would stall.
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        let mut first = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut first)
            .unwrap();
        let base = match first.trim().strip_prefix("listening on ") {
            Some(base) => base.to_string(),
            None => {
                let _ = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "server did not start: stdout {first:?}, stderr {:?}",
                    log.lock().unwrap()
                );
            }
        };
        assert!(base.starts_with("http://127.0.0.1:"), "{base}");
        let addr = base.trim_start_matches("http://").to_string();
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(10)))
            .build()
            .new_agent();
        Server {
            child,
            base,
            addr,
            log,
            agent,
        }
    }

    fn answer(mut response: ureq::http::Response<ureq::Body>) -> (u16, Value) {
        let status = response.status().as_u16();
        let content_type = response
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let text = response.body_mut().read_to_string().unwrap();
        assert_eq!(
            content_type.as_deref(),
            Some("application/json"),
            "status {status}: {text}"
        );
        let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
        (status, value)
    }

    fn get(&self, path: &str) -> (u16, Value) {
        Self::answer(
            self.agent
                .get(format!("{}{path}", self.base))
                .call()
                .unwrap(),
        )
    }

    fn post(&self, path: &str, content_type: &str, body: &str) -> (u16, Value) {
        Self::answer(
            self.agent
                .post(format!("{}{path}", self.base))
                .header("content-type", content_type)
                .send(body)
                .unwrap(),
        )
    }

    fn check(&self, body: Value) -> Value {
        let (status, answer) = self.post("/v1/check", "application/json", &body.to_string());
        assert_eq!(status, 200, "{answer}");
        answer
    }

    fn signal(&self, name: &str) {
        let ok = Command::new("kill")
            .args([&format!("-{name}"), &self.child.id().to_string()])
            .status()
            .unwrap()
            .success();
        assert!(ok, "kill -{name}");
    }

    /// The first log line that parses as JSON and satisfies `pred`, waiting up to 10 s.
    fn wait_log(&self, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(v) = self
                .log
                .lock()
                .unwrap()
                .iter()
                .filter_map(|l| serde_json::from_str::<Value>(l).ok())
                .find(|v| pred(v))
            {
                return v;
            }
            assert!(
                Instant::now() < deadline,
                "no such log line in {:?}",
                self.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    fn generation(&self) -> u64 {
        self.get("/v1/rules").1["generation"].as_u64().unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Replace a file the way editors save: write a sibling, then rename it over the original, so
/// the server's file watcher never reads a half-written file.
fn replace_file(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("yaml.tmp");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

fn rules(answer: &Value) -> Vec<&str> {
    answer["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect()
}

#[test]
fn each_verdict_follows_the_worst_finding() {
    let fixture = fixture();
    let server = Server::start(&["--rules", fixture.to_str().unwrap()]);
    // (request, verdict, max_severity, rules found)
    let table = [
        (json!({"body": "A fine day."}), "allow", Value::Null, vec![]),
        (
            json!({"body": "Rather plonkish, this."}),
            "allow",
            json!("low"),
            vec!["serve-test/low-word"],
        ),
        (
            json!({"body": "Plonkish, and you snorkelwit."}),
            "review",
            json!("medium"),
            vec!["serve-test/low-word", "serve-test/medium-word"],
        ),
        (
            json!({"body": "What a grimblefang remark.", "id": "c-9"}),
            "block",
            json!("critical"),
            vec!["serve-test/critical-word"],
        ),
        // The name is checked by the rule scoped to names only.
        (
            json!({"body": "Hello all.", "author": "Grimblefang"}),
            "block",
            json!("critical"),
            vec!["serve-test/critical-name"],
        ),
        // An article finding is reported but is not the commenter's.
        (
            json!({"body": "Hello all.", "article": "Today: the wobblecast."}),
            "allow",
            Value::Null,
            vec!["serve-test/medium-article"],
        ),
    ];
    for (request, verdict, max, found) in table {
        let answer = server.check(request.clone());
        assert_eq!(answer["verdict"], verdict, "{request} -> {answer}");
        assert_eq!(answer["max_severity"], max, "{request} -> {answer}");
        assert_eq!(rules(&answer), found, "{request} -> {answer}");
        assert!(answer["rules_fingerprint"].is_string());
    }
    let log = server.wait_log(|v| v["verdict"] == "block");
    assert_eq!(log["method"], "POST");
    assert_eq!(log["path"], "/v1/check");
    assert_eq!(log["status"], 200);
    assert!(log["duration_us"].is_u64());
}

#[test]
fn findings_carry_the_check_fields_relative_to_their_field() {
    let fixture = fixture();
    let server = Server::start(&["--rules", fixture.to_str().unwrap()]);
    let answer = server.check(json!({
        "body": "First line.\nSo, “you” snorkelwit!",
        "author": "Sam grimblefang",
        "article": "Headline\n\nThe wobblecast",
        "id": 77,
    }));
    assert_eq!(answer["id"], "77");
    let findings = answer["findings"].as_array().unwrap();
    let by_target = |t: &str| {
        findings
            .iter()
            .find(|f| f["target"] == t)
            .unwrap_or_else(|| panic!("no {t} finding in {answer}"))
    };
    let body = by_target("body");
    assert_eq!(body["matched"], "snorkelwit");
    assert_eq!(body["line"], 2);
    // Columns count characters: the curly quotes are one column each.
    assert_eq!(body["column"], 11);
    let start = "First line.\nSo, “you” ".len();
    assert_eq!(body["span"], json!([start, start + "snorkelwit".len()]));
    assert_eq!(body["author"], "Sam grimblefang");
    assert_eq!(body["id"], "77");
    assert_eq!(body["comment"], 0);
    assert_eq!(body["quoted"], false);
    let name = by_target("name");
    assert_eq!(
        (&name["span"], &name["line"], &name["column"]),
        (&json!([4, 15]), &json!(1), &json!(5))
    );
    let article = by_target("article");
    assert_eq!(
        (&article["line"], &article["column"], &article["matched"]),
        (&json!(3), &json!(5), &json!("wobblecast"))
    );
    assert_eq!(article["comment"], Value::Null);
    for key in [
        "path",
        "thread",
        "comment",
        "id",
        "author",
        "target",
        "line",
        "column",
        "span",
        "rule",
        "category",
        "severity",
        "matched",
        "normalized",
        "term",
        "quoted",
    ] {
        assert!(body.get(key).is_some(), "{key} missing from {body}");
    }
}

#[test]
fn verdict_thresholds_are_configurable() {
    let fixture = fixture();
    let server = Server::start(&[
        "--rules",
        fixture.to_str().unwrap(),
        "--review-at",
        "low",
        "--block-at",
        "medium",
    ]);
    let table = [
        ("A fine day.", "allow"),
        ("Rather plonkish.", "review"),
        ("You snorkelwit.", "block"),
    ];
    for (body, verdict) in table {
        assert_eq!(
            server.check(json!({ "body": body }))["verdict"],
            verdict,
            "{body}"
        );
    }
}

#[test]
fn bad_requests_get_json_errors_naming_the_problem() {
    let fixture = fixture();
    let server = Server::start(&["--rules", fixture.to_str().unwrap(), "--max-body", "1024"]);
    let big = json!({ "body": "word ".repeat(400) }).to_string();
    // (method, path, content type, body, status, words the message must contain)
    type Row<'a> = (&'a str, &'a str, &'a str, &'a str, u16, &'a [&'a str]);
    let table: &[Row] = &[
        (
            "POST",
            "/v1/check",
            "application/json",
            "{\"body\": ",
            400,
            &["EOF", "line 1"],
        ),
        (
            "POST",
            "/v1/check",
            "application/json",
            "not json",
            400,
            &["expected"],
        ),
        (
            "POST",
            "/v1/check",
            "application/json",
            "{}",
            400,
            &["missing field `body`"],
        ),
        (
            "POST",
            "/v1/check",
            "application/json",
            "{\"text\": \"x\"}",
            400,
            &["unknown field `text`"],
        ),
        (
            "POST",
            "/v1/check",
            "application/json",
            "{\"body\": 5}",
            400,
            &["invalid type"],
        ),
        (
            "POST",
            "/v1/check",
            "application/json",
            &big,
            413,
            &["1024 bytes"],
        ),
        (
            "POST",
            "/v1/check-page",
            "application/json",
            "{\"name\": \"x\"}",
            400,
            &["missing field `text`"],
        ),
        (
            "POST",
            "/v1/check-page",
            "text/plain",
            &big,
            413,
            &["limit"],
        ),
        ("GET", "/v1/nothing", "", "", 404, &["/v1/nothing"]),
        ("GET", "/v1/check", "", "", 405, &["GET"]),
    ];
    for (method, path, content_type, body, status, words) in table {
        let (got, answer) = if *method == "GET" {
            server.get(path)
        } else {
            server.post(path, content_type, body)
        };
        assert_eq!(got, *status, "{method} {path} {body:.40} -> {answer}");
        let message = answer["error"]
            .as_str()
            .unwrap_or_else(|| panic!("{answer}"));
        for word in *words {
            assert!(message.contains(word), "{message:?} lacks {word:?}");
        }
    }
    // The server is still fine afterwards.
    assert_eq!(server.get("/healthz"), (200, json!({"status": "ok"})));
    let log = server.wait_log(|v| v["status"] == 413);
    assert_eq!(log["verdict"], Value::Null);
}

#[test]
fn a_slow_upload_times_out() {
    let fixture = fixture();
    let server = Server::start(&["--rules", fixture.to_str().unwrap(), "--timeout-ms", "300"]);
    let mut stream = TcpStream::connect(&server.addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    // Promise 100 bytes and send 10: the deadline must end the wait.
    write!(
        stream,
        "POST /v1/check HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{{\"body\": "
    )
    .unwrap();
    let started = Instant::now();
    let mut reply = Vec::new();
    let mut buf = [0; 4096];
    while !reply.ends_with(b"}") {
        let n = stream.read(&mut buf).unwrap();
        assert!(
            n > 0,
            "connection closed: {}",
            String::from_utf8_lossy(&reply)
        );
        reply.extend_from_slice(&buf[..n]);
    }
    let reply = String::from_utf8_lossy(&reply);
    assert!(reply.starts_with("HTTP/1.1 503"), "{reply}");
    assert!(reply.contains("timed out after 300 ms"), "{reply}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn lists_the_loaded_rule_sets() {
    let fixture = fixture();
    let server = Server::start(&["--rules", fixture.to_str().unwrap()]);
    let (status, answer) = server.get("/v1/rules");
    assert_eq!(status, 200);
    assert_eq!(answer["generation"], 1);
    let sets = answer["sets"].as_array().unwrap();
    assert_eq!(sets.len(), 1, "{answer}");
    assert_eq!(sets[0]["name"], "serve-test");
    assert_eq!(sets[0]["rules"], 5);
    assert!(sets[0]["origin"].as_str().unwrap().ends_with("rules.yaml"));
    let fingerprint = answer["rules_fingerprint"].as_str().unwrap();
    assert!(!fingerprint.is_empty());
    assert_eq!(
        server.check(json!({"body": "x"}))["rules_fingerprint"],
        fingerprint
    );
}

/// A copy of the fixture in a temporary directory, to rewrite during a test.
fn editable_rules() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rules.yaml");
    std::fs::copy(fixture(), &path).unwrap();
    (dir, path)
}

/// The fixture with the medium word raised to critical.
fn raised_fixture() -> String {
    let text = std::fs::read_to_string(fixture()).unwrap();
    let raised = text.replacen(
        "  - id: medium-word\n    severity: medium",
        "  - id: medium-word\n    severity: critical",
        1,
    );
    assert_ne!(raised, text, "the fixture changed shape");
    raised
}

#[test]
fn sighup_reloads_and_a_broken_file_keeps_the_old_rules() {
    let (_dir, path) = editable_rules();
    let server = Server::start(&["--rules", path.to_str().unwrap()]);
    let before = server.get("/v1/rules").1["rules_fingerprint"].clone();
    assert_eq!(
        server.check(json!({"body": "you snorkelwit"}))["verdict"],
        "review"
    );

    // A good edit, announced with SIGHUP.
    // The file watcher may see the edit before the signal does, so a good edit can give one
    // reload or two. The signal's reload always comes, and comes last (the watcher sees no
    // change after it): once it is logged, the generation stays put.
    replace_file(&path, &raised_fixture());
    server.signal("HUP");
    let ok =
        server.wait_log(|v| v["event"] == "reload" && v["ok"] == true && v["trigger"] == "SIGHUP");
    assert!(ok["generation"].as_u64().unwrap() >= 2, "{ok}");
    let answer = server.check(json!({"body": "you snorkelwit"}));
    assert_eq!(answer["verdict"], "block");
    assert_ne!(answer["rules_fingerprint"], before);
    let after = answer["rules_fingerprint"].clone();

    // A broken edit: an unknown severity on line 7 of the file.
    let broken = raised_fixture().replacen("severity: low", "severity: dreadful", 1);
    let line = broken.lines().position(|l| l.contains("dreadful")).unwrap() + 1;
    let live = server.generation();
    replace_file(&path, &broken);
    server.signal("HUP");
    let failed = server.wait_log(|v| v["event"] == "reload" && v["ok"] == false);
    let errors = failed["errors"].as_array().unwrap();
    let wanted = format!("{}:{line}:", path.display());
    assert!(
        errors
            .iter()
            .any(|e| e.as_str().unwrap().starts_with(&wanted)),
        "no error at {wanted} in {errors:?}"
    );
    assert_eq!(failed["kept_generation"], live);
    assert_eq!(server.generation(), live);
    let answer = server.check(json!({"body": "you snorkelwit"}));
    assert_eq!(answer["verdict"], "block");
    assert_eq!(answer["rules_fingerprint"], after);
}

#[test]
fn an_edited_rule_file_is_picked_up_without_a_signal() {
    let (_dir, path) = editable_rules();
    let server = Server::start(&["--rules", path.to_str().unwrap()]);
    assert_eq!(
        server.check(json!({"body": "you snorkelwit"}))["verdict"],
        "review"
    );
    replace_file(&path, &raised_fixture());
    let ok = server.wait_log(|v| v["event"] == "reload");
    assert_eq!(ok["ok"], true, "{ok}");
    assert_eq!(ok["trigger"], "poll");
    assert_eq!(
        server.check(json!({"body": "you snorkelwit"}))["verdict"],
        "block"
    );
}

#[test]
fn broken_rules_at_start_are_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.yaml");
    std::fs::write(&path, "rules:\n  - id: x\n    severity: dreadful\n").unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_threadlint"))
        .args([
            "serve",
            "--addr",
            "127.0.0.1:0",
            "--no-default-rules",
            "--rules",
        ])
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A server that starts anyway must not hang the test: give it 10 s, then kill it.
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.yaml:"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let fixture = fixture();
    let mut server = Server::start(&["--rules", fixture.to_str().unwrap()]);
    assert_eq!(server.get("/healthz").0, 200);
    server.signal("TERM");
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "still running after SIGTERM");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status:?}");
    server.wait_log(|v| v["event"] == "stopped");
}

#[test]
fn check_page_segments_and_judges_each_comment() {
    let fixture = fixture();
    let server = Server::start(&["--rules", fixture.to_str().unwrap()]);
    let page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/serve/page.txt"),
    )
    .unwrap();
    let as_text = server.post("/v1/check-page", "text/plain; charset=utf-8", &page);
    let as_json = server.post(
        "/v1/check-page",
        "application/json",
        &json!({ "text": page, "name": "council.txt" }).to_string(),
    );
    for (status, answer) in [&as_text, &as_json] {
        assert_eq!(*status, 200, "{answer}");
        assert_eq!(answer["verdict"], "block");
        let comments = answer["comments"].as_array().unwrap();
        // (author, verdict, rules)
        let want = [
            ("Alice Martin", "allow", vec![]),
            ("Bob Stone", "review", vec!["serve-test/medium-word"]),
            ("Carol Penn", "block", vec!["serve-test/critical-word"]),
        ];
        assert_eq!(comments.len(), want.len(), "{answer}");
        for (comment, (author, verdict, found)) in comments.iter().zip(want) {
            assert_eq!(comment["author"], author);
            assert_eq!(comment["verdict"], verdict, "{comment}");
            assert_eq!(rules(comment), found, "{comment}");
            for f in comment["findings"].as_array().unwrap() {
                let [start, end] = [0, 1].map(|i| f["span"][i].as_u64().unwrap() as usize);
                assert_eq!(page[start..end], *f["matched"].as_str().unwrap());
            }
        }
        let article = &answer["article"];
        assert_eq!(article["title"], 3);
        assert_eq!(rules(article), vec!["serve-test/medium-article"]);
    }
    assert_eq!(as_text.1["name"], "page");
    assert_eq!(as_json.1["name"], "council.txt");
    assert_eq!(
        as_json.1["comments"][1]["findings"][0]["path"],
        "council.txt"
    );
}

/// `--max-body` is held to the size of a page (what any input may hold): a larger or zero
/// limit is refused before the server starts, naming the range.
#[test]
fn a_body_limit_beyond_a_page_is_refused() {
    for bad in ["0", "16777217", "20000000000"] {
        let out = Command::new(env!("CARGO_BIN_EXE_threadlint"))
            .args(["serve", "--addr", "127.0.0.1:0", "--max-body", bad])
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "--max-body {bad}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("must be from 1 to 16777216"), "{stderr}");
    }
}
