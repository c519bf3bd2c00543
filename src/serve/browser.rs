//! `roadmap serve --open`: opens the preview in the browser. The preview goes on whether or not a
//! browser opens (a server, a CI or a remote shell has none); a failure is one notice in Japanese.
//!
//! The `BROWSER` environment variable is honoured first, as many command-line programs do: a list of
//! commands separated by `:` (`;` on Windows), each run with the address as its last argument or in
//! place of `%s`. Without it, the system's own way of opening an address is used (the `open` crate:
//! `xdg-open` and the desktops' openers, `open` on macOS, `start` on Windows).

use std::io;
use std::process::{Command, Stdio};

use crate::terminal::notice;

/// Opens `url` in the browser in the background; says so in Japanese if it cannot.
pub fn open_in_background(url: &str) {
    let address = url.to_string();
    let started = std::thread::Builder::new()
        .name("roadmap-browser".to_string())
        .spawn(move || {
            if let Err(why) = open(&address) {
                notice(&failed(&address, &why));
            }
        });
    if let Err(e) = started {
        notice(&failed(url, &Failure::Start(e)));
    }
}

/// Why the browser did not open.
#[derive(Debug)]
pub enum Failure {
    /// No program to open it with, or it could not be started.
    Start(io::Error),
    /// The program ran and said it failed (its exit status).
    Exited(Option<i32>),
}

/// The notice for a browser that did not open.
fn failed(url: &str, why: &Failure) -> String {
    let reason = match why {
        Failure::Start(e) if e.kind() == io::ErrorKind::NotFound => {
            "ブラウザを開くプログラムが見つかりません".to_string()
        }
        Failure::Start(_) => "ブラウザを開くプログラムを起動できません".to_string(),
        Failure::Exited(Some(code)) => {
            format!("ブラウザを開くプログラムが終了コード {code} で終わりました")
        }
        Failure::Exited(None) => "ブラウザを開くプログラムが途中で止められました".to_string(),
    };
    format!(
        "注意: ブラウザを開けませんでした（{reason}）。プレビューは続けています。{url} をブラウザで開いてください。"
    )
}

/// Opens `url` with `BROWSER` when it is set, else with the system's opener; waits for the opener.
pub fn open(url: &str) -> Result<(), Failure> {
    match std::env::var("BROWSER") {
        Ok(browsers) if !browsers.trim().is_empty() => open_with_browser_variable(&browsers, url),
        _ => open::that(url).map_err(Failure::Start),
    }
}

/// Tries each command of a `BROWSER` value in turn; the first that succeeds wins.
fn open_with_browser_variable(browsers: &str, url: &str) -> Result<(), Failure> {
    let separator = if cfg!(windows) { ';' } else { ':' };
    let mut last = Failure::Start(io::Error::from(io::ErrorKind::NotFound));
    for entry in browsers.split(separator).filter(|e| !e.trim().is_empty()) {
        let Some((program, args)) = command_line(entry, url) else {
            continue;
        };
        let status = Command::new(program)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
        match status {
            Ok(status) if status.success() => return Ok(()),
            Ok(status) => last = Failure::Exited(status.code()),
            Err(e) => last = Failure::Start(e),
        }
    }
    Err(last)
}

/// A `BROWSER` entry as a program and its arguments, with the address in place of `%s` or last.
fn command_line(entry: &str, url: &str) -> Option<(String, Vec<String>)> {
    let mut words = entry.split_whitespace().map(str::to_string);
    let program = words.next()?;
    let mut args: Vec<String> = words.collect();
    if args.iter().any(|a| a.contains("%s")) {
        for arg in &mut args {
            *arg = arg.replace("%s", url);
        }
    } else {
        args.push(url.to_string());
    }
    Some((program, args))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_address_goes_last_or_in_place_of_percent_s() {
        let url = "http://127.0.0.1:8000/";
        assert_eq!(
            command_line("firefox", url),
            Some(("firefox".to_string(), vec![url.to_string()]))
        );
        assert_eq!(
            command_line("chromium --new-window %s --x", url),
            Some((
                "chromium".to_string(),
                vec![
                    "--new-window".to_string(),
                    url.to_string(),
                    "--x".to_string()
                ]
            ))
        );
        assert_eq!(command_line("  ", url), None);
    }

    #[test]
    fn a_missing_browser_is_a_japanese_notice() {
        let why = open_with_browser_variable("/nonexistent/roadmap-test-browser", "http://x/");
        let Err(why) = why else {
            panic!("a missing program cannot open a browser");
        };
        let text = failed("http://x/", &why);
        assert!(
            text.contains("ブラウザを開くプログラムが見つかりません"),
            "{text}"
        );
        assert!(
            text.contains("http://x/ をブラウザで開いてください"),
            "{text}"
        );
    }
}
