//! Running the `claimforest` binary from the tests: a scratch folder per test, the command,
//! and its output once it has succeeded.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `claimforest args` in `dir`.
pub fn claimforest(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_claimforest")).args(args).current_dir(dir).output().expect("the CLI starts")
}

/// A fresh, empty folder for one test (`group` and `name` keep tests apart).
pub fn scratch_dir(group: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("claimforest-{group}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

/// The standard output of a command that must have succeeded.
pub fn ok_stdout(output: Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// What a command that must have succeeded said on standard error (its report lines).
pub fn ok_stderr(output: Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8_lossy(&output.stderr).into_owned()
}
