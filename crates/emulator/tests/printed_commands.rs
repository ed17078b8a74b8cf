//! The fault-injection commands that the READMEs and `scripts/demo.sh` print work as printed:
//! each `curl` line is run against a real emulator (its port swapped in) and must take effect.

mod common;

use std::process::Command;

use common::*;
use serde_json::Value;

fn printed_commands() -> Vec<(String, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut out = Vec::new();
    for file in ["README.md", "scripts/demo.sh", "crates/emulator/README.md"] {
        let text = std::fs::read_to_string(root.join(file)).unwrap_or_else(|e| panic!("read {file}: {e}"));
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with("curl ") && line.contains("localhost:9101/emulator/v1/") {
                let cmd = line.split(" #").next().unwrap_or(line).trim().to_string();
                out.push((file.to_string(), cmd));
            }
        }
    }
    out
}

#[test]
fn the_printed_curl_commands_work_as_printed() {
    let cmds = printed_commands();
    for file in ["README.md", "scripts/demo.sh", "crates/emulator/README.md"] {
        assert!(cmds.iter().any(|(f, _)| f == file), "no fault-injection command found in {file}");
    }
    let dir = TempDir::new("printed");
    let emu = Emu::start(dir.path(), &[]);
    let port = emu.control.rsplit(':').next().expect("port").to_string();
    for (file, cmd) in &cmds {
        let run = format!("{} -sS -w '\\n%{{http_code}}'", cmd.replace("localhost:9101", &format!("localhost:{port}")));
        let out = Command::new("bash").arg("-c").arg(&run).output().expect("run bash (curl must be installed)");
        assert!(out.status.success(), "{file}: `{cmd}` failed: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8_lossy(&out.stdout);
        let (body, code) = text.rsplit_once('\n').unwrap_or(("", &text));
        assert_eq!(code.trim(), "200", "{file}: `{cmd}` answered {code}: {body}");
        let state: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{file}: `{cmd}` answered no state: {e}: {body}"));
        // The state it answers shows the effect the comment promises.
        if let Some(mode) = ["down", "hang", "up"].iter().find(|m| cmd.contains(&format!("\"mode\":\"{m}\""))) {
            assert_eq!(state["mode"], *mode, "{file}: `{cmd}`");
        } else if let Some(zone) = cmd.split("/emulator/v1/zones/").nth(1).and_then(|r| r.split([' ', '\'']).next()) {
            let z = state["zones"].as_array().and_then(|zs| zs.iter().find(|z| z["id"] == zone)).unwrap_or_else(|| panic!("{file}: no zone {zone}"));
            let want = cmd.split("\"status\":\"").nth(1).and_then(|r| r.split('"').next()).expect("status in command");
            assert_eq!(z["status"], want, "{file}: `{cmd}`");
        } else if cmd.contains("-X DELETE") {
            assert_eq!(state["mode"], "up", "{file}: `{cmd}`");
            assert_eq!(state["status"], "operational", "{file}: `{cmd}`");
        } else if cmd.contains("\"hostile\"") {
            assert!(state["hostile"].is_string(), "{file}: `{cmd}`");
        }
    }
}
