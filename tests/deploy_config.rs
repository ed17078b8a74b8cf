//! `scripts/deploy_config.py` accepts exactly the origins the console accepts (one rule,
//! `config::is_origin`, with the shared cases of `tests/fixtures/origins.json`), and writes the
//! normalized origin the console compares against into the CSP.
#![cfg(not(target_arch = "wasm32"))]

use std::path::Path;
use std::process::Command;

use regional_console::config::parse_config;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the tool on a scratch dist/ with `config`; the `_headers` it wrote, or its error line.
fn deploy(config: &serde_json::Value) -> Result<String, String> {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("index.html"), "<!DOCTYPE html>\n<html><head>\n  <meta charset=\"utf-8\">\n<script type=\"module\">boot()</script></head><body></body></html>\n")
        .expect("write index.html");
    let cfg = dir.path().join("deploy.json");
    std::fs::write(&cfg, config.to_string()).expect("write config");
    let out = Command::new("python3")
        .arg(root().join("scripts/deploy_config.py"))
        .arg("--dist")
        .arg(dir.path())
        .arg("--config")
        .arg(&cfg)
        .output()
        .expect("run python3 scripts/deploy_config.py");
    if out.status.success() {
        Ok(std::fs::read_to_string(dir.path().join("_headers")).expect("_headers written"))
    } else {
        Err(String::from_utf8_lossy(&out.stderr).into_owned())
    }
}

/// `deploy_config.origin()` on each input, in one Python process: the normalized origin, or
/// `None` where the tool refuses it.
fn tool_verdicts(inputs: &[&str]) -> Vec<Option<String>> {
    let driver = "import importlib.util, json, sys\n\
        spec = importlib.util.spec_from_file_location('dc', sys.argv[1]); dc = importlib.util.module_from_spec(spec); spec.loader.exec_module(dc)\n\
        out = []\n\
        for s in json.loads(sys.stdin.read()):\n\
        \x20   try: out.append(dc.origin(s, 'x'))\n\
        \x20   except SystemExit: out.append(None)\n\
        print(json.dumps(out))\n";
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(driver)
        .arg(root().join("scripts/deploy_config.py"))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("run python3");
    use std::io::Write;
    child.stdin.take().expect("stdin").write_all(serde_json::to_string(inputs).expect("json").as_bytes()).expect("write");
    let out = child.wait_with_output().expect("python3 finished");
    assert!(out.status.success(), "the driver failed");
    serde_json::from_slice(&out.stdout).expect("verdicts are JSON")
}

#[test]
fn the_tool_and_the_console_accept_the_same_origins() {
    let cases: serde_json::Value = serde_json::from_str(include_str!("fixtures/origins.json")).expect("fixture");
    let mut inputs = Vec::new();
    for (list, valid) in [("valid", true), ("invalid", false)] {
        for case in cases[list].as_array().expect("list") {
            inputs.push((case["input"].as_str().expect("input"), valid, case["origin"].as_str()));
        }
    }
    let verdicts = tool_verdicts(&inputs.iter().map(|c| c.0).collect::<Vec<_>>());
    for ((input, valid, origin), tool) in inputs.iter().zip(&verdicts) {
        let as_api = serde_json::json!({"regions": [{"id": "us-south", "api": input}], "auth": {"mode": "none"}});
        let as_parent = serde_json::json!({"regions": [{"id": "us-south", "api": "http://127.0.0.1:8101"}], "embed": {"allowed_parent_origins": [input]}});
        for (what, config) in [("region api", as_api), ("embed parent", as_parent)] {
            let console = parse_config(&config.to_string());
            assert_eq!(console.is_ok(), *valid, "console on {what} {input:?}: {console:?}");
        }
        assert_eq!(tool.is_some(), *valid, "deploy_config.py on {input:?}: {tool:?}");
        assert_eq!(tool.as_deref(), *origin, "normalized {input:?}");
    }
    assert!(verdicts.len() >= 35, "{}", verdicts.len());

    // And the command itself: every valid origin lands in the CSP as normalized; one bad one stops it.
    let parents: Vec<&str> = inputs.iter().filter(|c| c.1).map(|c| c.0).collect();
    let headers = deploy(&serde_json::json!({"regions": [{"id": "us-south", "api": parents[0]}], "embed": {"allowed_parent_origins": parents}})).expect("deploys");
    let csp = headers.lines().find(|l| l.trim_start().starts_with("Content-Security-Policy:")).expect("CSP line");
    let ancestors = csp.split("frame-ancestors").nth(1).unwrap_or("");
    for (_, _, origin) in inputs.iter().filter(|c| c.1) {
        let origin = origin.expect("valid cases name their origin");
        assert!(ancestors.split_whitespace().any(|o| o == origin), "{origin} missing from frame-ancestors {ancestors:?}");
    }
    let err = deploy(&serde_json::json!({"regions": [{"id": "us-south", "api": "http://127.0.0.1:8101"}], "embed": {"allowed_parent_origins": ["https://evil.example@good.example"]}}))
        .expect_err("refused");
    assert!(err.starts_with("deploy_config: ") && err.contains("is not an origin"), "{err}");
}

#[test]
fn no_parents_means_no_framing() {
    let headers = deploy(&serde_json::json!({"regions": [{"id": "us-south", "api": "http://127.0.0.1:8101"}]})).expect("deploys");
    assert!(headers.contains("frame-ancestors 'none'"), "{headers}");
}
