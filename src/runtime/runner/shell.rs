//! `sh -c` in its own process group, output streamed line by line, the
//! whole group killed on timeout.

use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt as _, BufReader};
use tokio::process::Command;

use super::{OutputLine, OutputSink, Stream};
use crate::domain::runbook::protocol::{Exit, Task};
use crate::domain::runbook::script::ShellScript;

/// Standard output kept for `expect` (the tail, when longer).
pub const MAX_CAPTURE: usize = 64 * 1024;

/// Runs a command that refers to no values: [`run_script`] with an empty
/// environment of values.
pub async fn run_shell(
    command: &str,
    timeout: Option<Duration>,
    sink: &OutputSink,
    task: Task,
    attempt: u32,
) -> (Exit, String) {
    run_script(&ShellScript::plain(command), timeout, sink, task, attempt).await
}

/// Runs `script` with `sh -c` in a new process group, each value in the
/// child's environment (`DRCONSOLE_VAR_NAME`) where the script refers to
/// it, so a value is data and never part of the text `sh` parses. Stdin is
/// closed. Lines go to `sink` as they arrive, tagged with `task` and
/// `attempt`. When `timeout` passes, the whole group (the shell and
/// everything it started) gets SIGKILL. Returns the exit and the captured
/// stdout.
pub async fn run_script(
    script: &ShellScript,
    timeout: Option<Duration>,
    sink: &OutputSink,
    task: Task,
    attempt: u32,
) -> (Exit, String) {
    let spawned = Command::new("sh")
        .arg("-c")
        .arg(&script.script)
        .envs(script.env())
        .process_group(0)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn();
    let mut child = match spawned {
        Ok(c) => c,
        Err(e) => {
            send(
                sink,
                task,
                attempt,
                Stream::Note,
                format!("cannot start sh: {e}"),
            );
            return (Exit::default(), String::new());
        }
    };
    let pid = child.id();
    // If this future is dropped (the run was aborted), the whole group goes.
    let mut guard = GroupGuard { pid, armed: true };
    let mut out = child.stdout.take().map(|s| BufReader::new(s).lines());
    let mut err = child.stderr.take().map(|s| BufReader::new(s).lines());
    let mut captured = String::new();
    let deadline = timeout.and_then(|t| tokio::time::Instant::now().checked_add(t));
    let sleep = async {
        match deadline {
            Some(d) => tokio::time::sleep_until(d).await,
            None => std::future::pending().await,
        }
    };
    tokio::pin!(sleep);
    let mut timed_out = false;
    while out.is_some() || err.is_some() {
        tokio::select! {
            line = next(&mut out) => match line {
                Some(l) => {
                    capture(&mut captured, &l);
                    send(sink, task, attempt, Stream::Stdout, l);
                }
                None => out = None,
            },
            line = next(&mut err) => match line {
                Some(l) => send(sink, task, attempt, Stream::Stderr, l),
                None => err = None,
            },
            () = &mut sleep => {
                timed_out = true;
                break;
            }
        }
    }
    if !timed_out {
        let waited = async {
            match deadline {
                Some(d) => tokio::time::timeout_at(d, child.wait()).await.ok(),
                None => Some(child.wait().await),
            }
        };
        if let Some(status) = waited.await {
            guard.armed = false;
            let code = status.ok().and_then(|s| s.code());
            return (
                Exit {
                    code,
                    timed_out: false,
                },
                captured,
            );
        }
    }
    kill_group(pid);
    guard.armed = false;
    let _ = child.wait().await;
    send(
        sink,
        task,
        attempt,
        Stream::Note,
        format!(
            "timed out after {}s: process group killed",
            timeout.unwrap_or_default().as_secs()
        ),
    );
    (
        Exit {
            code: None,
            timed_out: true,
        },
        captured,
    )
}

async fn next<R: tokio::io::AsyncBufRead + Unpin>(
    lines: &mut Option<tokio::io::Lines<R>>,
) -> Option<String> {
    match lines {
        Some(l) => l.next_line().await.ok().flatten(),
        None => std::future::pending().await,
    }
}

fn capture(buf: &mut String, line: &str) {
    buf.push_str(line);
    buf.push('\n');
    if buf.len() > MAX_CAPTURE {
        let mut from = buf.len() - MAX_CAPTURE;
        while !buf.is_char_boundary(from) {
            from += 1;
        }
        buf.drain(..from);
    }
}

/// Kills the process group when dropped while armed: a cancelled step
/// leaves nothing running behind it.
struct GroupGuard {
    pid: Option<u32>,
    armed: bool,
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.armed {
            kill_group(self.pid);
        }
    }
}

fn kill_group(pid: Option<u32>) {
    let pid = pid
        .and_then(|p| i32::try_from(p).ok())
        .and_then(rustix::process::Pid::from_raw);
    if let Some(pid) = pid {
        // The group id is the shell's pid (process_group(0)).
        let _ = rustix::process::kill_process_group(pid, rustix::process::Signal::KILL);
    }
}

fn send(sink: &OutputSink, task: Task, attempt: u32, stream: Stream, text: String) {
    let _ = sink.send(OutputLine {
        task,
        attempt,
        stream,
        text,
    });
}
