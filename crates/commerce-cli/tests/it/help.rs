//! `--help` of every command, snapshot-tested: the text a user reads is reviewed like code.

use super::support::{commerce_in, text};

fn help(args: &[&str]) -> String {
    let output = commerce_in(&std::env::temp_dir())
        .args(args)
        .arg("--help")
        .env("COLUMNS", "100")
        .output()
        .unwrap();
    let (stdout, stderr) = text(&output);
    assert!(output.status.success(), "{stderr}");
    stdout
}

#[test]
fn every_command_has_help() {
    for command in [
        "",
        "demo",
        "serve",
        "worker",
        "migrate",
        "rotate-keys",
        "link",
        "sync",
        "status",
        "unlink",
        "show",
        "map",
        "sandbox",
    ] {
        let args: Vec<&str> = if command.is_empty() {
            vec![]
        } else {
            vec![command]
        };
        let name = if command.is_empty() {
            "commerce"
        } else {
            command
        };
        insta::assert_snapshot!(format!("help_{name}"), help(&args));
    }
}
