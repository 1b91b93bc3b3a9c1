//! Daemon processes: spawning with a PID file, liveness, stopping by recorded PID.
//!
//! Daemons are never looked up by name: every stop goes through the PID recorded
//! at spawn time, and only after checking that the process is ours: either a child
//! of this process that has not been reaped (its PID cannot have been recycled), or
//! a process whose command line still mentions the network directory (so a
//! recycled PID is never signalled).
//!
//! The child check comes first on purpose: just after `spawn` returns, the kernel
//! may not have filled in the new program's command line yet (the parent resumes
//! once the exec has begun, before the argument pages are set up), so reading
//! `/proc/<pid>/cmdline` at that moment finds it empty.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use crate::error::{Result, TestnetError};

/// Children we spawned, kept so that they are reaped (no zombies) once they exit.
fn children() -> &'static Mutex<HashMap<u32, Child>> {
    static CHILDREN: OnceLock<Mutex<HashMap<u32, Child>>> = OnceLock::new();
    CHILDREN.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Reaps our exited children.
fn reap() {
    if let Ok(mut map) = children().lock() {
        map.retain(|_, child| matches!(child.try_wait(), Ok(None)));
    }
}

/// Spawns `program args…` detached in its own process group, stdout and stderr
/// appended to `log`, and writes its PID to `pid_file`.
pub fn spawn_daemon(program: &Path, args: &[String], log: &Path, pid_file: &Path) -> Result<u32> {
    spawn_daemon_with_env(program, args, &[], log, pid_file)
}

/// [`spawn_daemon`] with changes to the inherited environment: `(name, Some(value))`
/// sets a variable, `(name, None)` removes it.
pub fn spawn_daemon_with_env(
    program: &Path,
    args: &[String],
    env: &[(&str, Option<&str>)],
    log: &Path,
    pid_file: &Path,
) -> Result<u32> {
    use std::os::unix::process::CommandExt;

    let out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| TestnetError::io(log, e))?;
    let err = out.try_clone().map_err(|e| TestnetError::io(log, e))?;
    let mut command = Command::new(program);
    for (name, value) in env {
        match value {
            Some(value) => command.env(name, value),
            None => command.env_remove(name),
        };
    }
    let child = command
        .args(args)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err)
        .process_group(0)
        .spawn()
        .map_err(|source| TestnetError::Spawn {
            program: program.display().to_string(),
            source,
        })?;
    let pid = child.id();
    if let Ok(mut map) = children().lock() {
        map.insert(pid, child);
    }
    if let Some(parent) = pid_file.parent() {
        std::fs::create_dir_all(parent).map_err(|e| TestnetError::io(parent, e))?;
    }
    std::fs::write(pid_file, pid.to_string()).map_err(|e| TestnetError::io(pid_file, e))?;
    Ok(pid)
}

/// The PID recorded in `pid_file`, if the file exists and parses.
pub fn read_pid(pid_file: &Path) -> Option<u32> {
    std::fs::read_to_string(pid_file)
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// The exit status of our child `pid` once it has exited (it is then reaped);
/// `None` while it runs, or when it is not a child we still hold.
pub fn try_exit_status(pid: u32) -> Option<std::process::ExitStatus> {
    let mut map = children().lock().ok()?;
    let status = map.get_mut(&pid)?.try_wait().ok().flatten()?;
    map.remove(&pid);
    Some(status)
}

/// SIGKILLs our child `pid` at once (no shutdown path of its own runs) and reaps
/// it. Does nothing when `pid` is not a child we still hold, so a recycled PID is
/// never signalled.
pub fn kill_child(pid: u32) {
    let child = children().lock().ok().and_then(|mut map| map.remove(&pid));
    if let Some(mut child) = child {
        // `Child::kill` is SIGKILL on Unix; `wait` reaps it, so no zombie is left.
        let _ = child.kill();
        let _ = child.wait();
    }
}

/// True when `pid` is a running (not zombie) process.
pub fn is_alive(pid: u32) -> bool {
    reap();
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        // The state is the first field after the parenthesised command name.
        Ok(stat) => stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().next())
            .is_some_and(|state| state != "Z" && state != "X"),
        Err(_) => false,
    }
}

/// True when the process's command line mentions `marker` (the network dir).
fn cmdline_mentions(pid: u32, marker: &Path) -> bool {
    let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
        return false;
    };
    let text = String::from_utf8_lossy(&raw);
    text.contains(&*marker.to_string_lossy())
}

/// True when `pid` is a child this process spawned and has not reaped.
fn is_our_child(pid: u32) -> bool {
    children().lock().is_ok_and(|map| map.contains_key(&pid))
}

/// The recorded daemon is alive and is ours (see the module docs).
pub fn pid_file_alive(pid_file: &Path, marker: &Path) -> Option<u32> {
    read_pid(pid_file)
        .filter(|pid| is_alive(*pid) && (is_our_child(*pid) || cmdline_mentions(*pid, marker)))
}

fn signal(pid: u32, sig: &str) {
    // `kill` the utility: std has no signal API besides SIGKILL on a Child.
    let _ = Command::new("kill")
        .arg(format!("-{sig}"))
        .arg(pid.to_string())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

/// Stops the daemon recorded in `pid_file`: SIGTERM, wait up to `grace`, then
/// SIGKILL. Removes the PID file. Does nothing when the process is gone or its
/// command line does not mention `marker`.
pub async fn stop_recorded(pid_file: &Path, marker: &Path, grace: Duration) -> Result<()> {
    if let Some(pid) = pid_file_alive(pid_file, marker) {
        signal(pid, "TERM");
        let deadline = Instant::now() + grace;
        while is_alive(pid) && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        if is_alive(pid) {
            signal(pid, "KILL");
            let deadline = Instant::now() + Duration::from_secs(5);
            while is_alive(pid) && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
    match std::fs::remove_file(pid_file) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(TestnetError::io(pid_file, e)),
    }
}

/// Spawns a watchdog shell that, once `owner_pid` exits, stops every daemon whose
/// PID file is in `pids_dir` (checking that its command line mentions `dir`), then
/// removes `remove_paths`. The watchdog is itself detached, so it outlives us.
pub fn spawn_watchdog(
    owner_pid: u32,
    dir: &Path,
    pids_dir: &Path,
    remove_paths: &[PathBuf],
) -> Result<()> {
    use std::os::unix::process::CommandExt;

    const SCRIPT: &str = r#"
owner=$1; dir=$2; pids=$3; shift 3
while kill -0 "$owner" 2>/dev/null; do sleep 0.5; done
ours() { [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' < "/proc/$1/cmdline" | grep -qF -- "$dir"; }
for f in "$pids"/*.pid; do
  [ -f "$f" ] || continue; p=$(cat "$f"); ours "$p" && kill -TERM "$p" 2>/dev/null
done
for _ in $(seq 1 300); do
  alive=0
  for f in "$pids"/*.pid; do [ -f "$f" ] && ours "$(cat "$f")" && alive=1; done
  [ "$alive" = 0 ] && break; sleep 0.1
done
for f in "$pids"/*.pid; do
  [ -f "$f" ] || continue; p=$(cat "$f"); ours "$p" && kill -KILL "$p" 2>/dev/null
done
for path in "$@"; do rm -rf -- "$path"; done
"#;
    let mut cmd = Command::new("sh");
    cmd.arg("-c")
        .arg(SCRIPT)
        .arg("testnet-watchdog")
        .arg(owner_pid.to_string())
        .arg(dir)
        .arg(pids_dir)
        .args(remove_paths)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0);
    let child = cmd.spawn().map_err(|source| TestnetError::Spawn {
        program: "sh (watchdog)".into(),
        source,
    })?;
    if let Ok(mut map) = children().lock() {
        map.insert(child.id(), child);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spawned_daemon_is_alive_until_stopped_by_pid() {
        let dir = std::env::temp_dir().join(format!("testnet-proc-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("sleep.pid");
        // The marker (the dir) appears on the command line as an ignored argument.
        let args = vec![
            "-c".to_string(),
            "sleep 30".to_string(),
            dir.display().to_string(),
        ];
        let pid = spawn_daemon(Path::new("/bin/sh"), &args, &dir.join("log"), &pid_file).unwrap();
        assert_eq!(read_pid(&pid_file), Some(pid));
        assert!(is_alive(pid));
        // Ours from the moment spawn returns, even before the kernel shows the new
        // program's command line.
        assert_eq!(pid_file_alive(&pid_file, &dir), Some(pid));
        stop_recorded(&pid_file, &dir, Duration::from_secs(5))
            .await
            .unwrap();
        assert!(!is_alive(pid));
        assert!(!pid_file.exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_process_we_did_not_spawn_must_mention_the_marker() {
        let dir = std::env::temp_dir().join(format!("testnet-foreign-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let pid_file = dir.join("foreign.pid");
        // Spawned without `spawn_daemon`: not one of our recorded children.
        let mut child = Command::new("/bin/sh")
            .args(["-c", "sleep 30", &dir.display().to_string()])
            .spawn()
            .unwrap();
        std::fs::write(&pid_file, child.id().to_string()).unwrap();
        // Give the exec time to publish the command line.
        let deadline = Instant::now() + Duration::from_secs(5);
        while pid_file_alive(&pid_file, &dir).is_none() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(pid_file_alive(&pid_file, &dir), Some(child.id()));
        // A wrong marker never matches, so nothing foreign gets signalled.
        assert_eq!(pid_file_alive(&pid_file, Path::new("/elsewhere")), None);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(pid_file_alive(&pid_file, &dir), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
