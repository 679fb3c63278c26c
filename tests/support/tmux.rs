//! Drives the real binary in a tmux pseudo-terminal: press keys, read the
//! screen. Each test gets its own tmux server (socket), so tests can run in
//! parallel and never touch the developer's sessions.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// How long to wait for the screen to show something before failing.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// One tmux server with one session running a command.
pub struct Tmux {
    socket: String,
    /// Scratch directory for pid files and the like.
    pub dir: tempfile::TempDir,
}

fn tmux_available() {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "tmux is required for the end-to-end tests (apt-get install tmux); refusing to skip"
    );
}

impl Tmux {
    /// Starts `command` (a shell command line) in a `width`x`height` pane
    /// whose working directory is the crate root.
    pub fn start(name: &str, command: &str, width: u16, height: u16) -> Tmux {
        tmux_available();
        let dir = tempfile::tempdir().expect("tempdir");
        let socket = format!("drconsole-test-{name}-{}", std::process::id());
        // The config is read before the session starts, so a dead pane is
        // always kept for its exit status, however fast the process dies.
        let conf = dir.path().join("tmux.conf");
        std::fs::write(&conf, "set-option -g remain-on-exit on\n").expect("tmux.conf");
        let conf = conf.display().to_string();
        let t = Tmux { socket, dir };
        let out = t.tmux(&[
            "-f",
            &conf,
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
            "-c",
            env!("CARGO_MANIFEST_DIR"),
            "-e",
            "TERM=xterm-256color",
            "-e",
            "NO_COLOR=",
            command,
        ]);
        assert!(
            out.status.success(),
            "tmux new-session failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// The visible screen as text.
    pub fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    /// Everything the pane holds: its scrollback history and the screen
    /// (of the normal screen once the program has left the alternate one).
    pub fn scrollback(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-J", "-S", "-", "-E", "-", "-t", "t"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A tmux format variable of the pane, e.g. `alternate_on`.
    pub fn pane(&self, var: &str) -> String {
        let out = self.tmux(&["display-message", "-p", "-t", "t", &format!("#{{{var}}}")]);
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Presses keys (tmux key names: `Enter`, `Escape`, `Tab`, `C-c`...).
    pub fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.tmux(&args).status.success());
    }

    /// Types text literally.
    pub fn type_text(&self, text: &str) {
        assert!(
            self.tmux(&["send-keys", "-t", "t", "-l", text])
                .status
                .success()
        );
    }

    /// Resizes the window.
    pub fn resize(&self, width: u16, height: u16) {
        assert!(
            self.tmux(&[
                "resize-window",
                "-t",
                "t",
                "-x",
                &width.to_string(),
                "-y",
                &height.to_string()
            ])
            .status
            .success()
        );
    }

    /// Waits until `pred` holds for the screen; panics with the screen if not.
    pub fn wait_until(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + PATIENCE;
        loop {
            let s = self.screen();
            if pred(&s) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits until the screen contains every one of `needles`.
    pub fn wait_for(&self, needles: &[&str]) -> String {
        self.wait_until(&format!("{needles:?}"), |s| {
            needles.iter().all(|n| s.contains(n))
        })
    }

    /// Waits for the `EXIT=<status>` line that [`console`] prints after
    /// the console exits, and returns the status. (tmux's own
    /// `pane_dead_status` is not always recorded, so the shell reports it.)
    pub fn wait_exit(&self) -> i32 {
        let s = self.wait_until("EXIT=<status>", |s| {
            s.lines().any(|l| l.starts_with("EXIT="))
        });
        s.lines()
            .find_map(|l| l.strip_prefix("EXIT="))
            .and_then(|v| v.trim().parse().ok())
            .expect("exit status")
    }

    /// A path inside the scratch directory.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Best effort: a leftover server dies with the test machine anyway.
        let _ = Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .arg("kill-server")
            .output();
    }
}

/// A shell command line that runs the console with `args`, then prints
/// `EXIT=<status>` and stays, so the screen after exit can be read.
pub fn console(args: &str) -> String {
    format!("sh -c '{} {args}; echo EXIT=$?; sleep 600'", binary())
}

/// The binary under test, quoted for a shell.
pub fn binary() -> String {
    shell_quote(Path::new(env!("CARGO_BIN_EXE_drconsole")))
}

fn shell_quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', "'\\''"))
}
