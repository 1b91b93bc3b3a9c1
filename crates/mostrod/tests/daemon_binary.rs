//! The `mostrod` binary: `--help`, and an unusable configuration exits with code 2 and
//! names the setting, before touching the network or writing anything.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

/// Exit code of an unusable configuration.
const EXIT_CONFIG: i32 = 2;

/// Runs `mostrod` with `args` and only the given `MOSTROD_*` variables, on `data_dir`.
fn mostrod(data_dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_mostrod"));
    command
        .env_clear()
        .env("HOME", data_dir)
        .arg("--data-dir")
        .arg(data_dir)
        .args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().expect("run mostrod")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn help_lists_the_options() {
    let dir = tempfile::tempdir().unwrap();
    let output = mostrod(dir.path(), &["--help"], &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let help = String::from_utf8_lossy(&output.stdout);
    for option in [
        "--config",
        "--data-dir",
        "--relay",
        "--lnd-host",
        "--lnd-cert",
        "--lnd-macaroon",
        "--db",
        "--log",
        "MOSTROD_",
    ] {
        assert!(
            help.contains(option),
            "--help does not mention {option}:\n{help}"
        );
    }
}

#[test]
fn an_out_of_range_setting_exits_with_code_2_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = mostrod(dir.path(), &[], &[("MOSTROD_MOSTRO_FEE", "1.5")]);
    assert_eq!(
        output.status.code(),
        Some(EXIT_CONFIG),
        "{}",
        stderr(&output)
    );
    let text = stderr(&output);
    assert!(text.contains("mostro.fee"), "{text}");
    assert!(text.contains("1.5"), "{text}");
    // Refused before anything was written (no node key, no database).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn an_unparsable_setting_exits_with_code_2_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = mostrod(dir.path(), &[], &[("MOSTROD_MOSTRO_FEE", "a lot")]);
    assert_eq!(
        output.status.code(),
        Some(EXIT_CONFIG),
        "{}",
        stderr(&output)
    );
    // Named as the user wrote it: the environment variable.
    let text = stderr(&output);
    assert!(text.contains("MOSTROD_MOSTRO_FEE"), "{text}");
    assert!(text.contains("a lot"), "{text}");
}

#[test]
fn a_missing_lnd_certificate_names_the_setting() {
    let dir = tempfile::tempdir().unwrap();
    // Not configured at all.
    let output = mostrod(dir.path(), &[], &[]);
    assert_eq!(
        output.status.code(),
        Some(EXIT_CONFIG),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains("lightning.lnd_cert_file"),
        "{}",
        stderr(&output)
    );

    // Configured, but the file does not exist.
    let cert = dir.path().join("tls.cert");
    let macaroon = dir.path().join("admin.macaroon");
    std::fs::write(&macaroon, b"not a real macaroon").unwrap();
    let output = mostrod(
        dir.path(),
        &[
            "--lnd-cert",
            cert.to_str().unwrap(),
            "--lnd-macaroon",
            macaroon.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        output.status.code(),
        Some(EXIT_CONFIG),
        "{}",
        stderr(&output)
    );
    let text = stderr(&output);
    assert!(text.contains("lightning.lnd_cert_file"), "{text}");
    assert!(text.contains("tls.cert"), "{text}");
}
