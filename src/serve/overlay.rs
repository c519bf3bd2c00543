//! What the preview adds to pages: the reload script, and the overlay that explains a failed build.
//!
//! Both are added to HTML responses only, at the moment they are served; the files of a build are never
//! changed. Every text that comes from the files staff edit is HTML-escaped before it is shown.

use unicode_width::UnicodeWidthStr;

use super::state::{Problem, ProblemKind, Status};
use crate::diagnostics::{Diagnostic, Location};

/// Where the preview's own resources live; no site file can be there (slugs have no `_`).
pub const PREFIX: &str = "/__roadmap/";

/// The reload script, served at `/__roadmap/live.js`.
pub const SCRIPT: &str = r#"// roadmap serve: reloads the page when the site is rebuilt (preview only, never in the published site).
(function () {
  "use strict";
  var me = document.currentScript;
  var version = me ? Number(me.getAttribute("data-version")) : 0;
  var key = "roadmap-scroll:" + location.pathname;
  try {
    var y = sessionStorage.getItem(key);
    if (y !== null) {
      sessionStorage.removeItem(key);
      window.scrollTo(0, Number(y));
    }
  } catch (e) {}
  // The element that had focus before the last reload (by id), so that focus returns to it.
  var focusKey = key + ":focus";
  var before = null;
  try {
    var id = sessionStorage.getItem(focusKey);
    sessionStorage.removeItem(focusKey);
    if (id) { before = document.getElementById(id); }
  } catch (e) {}
  function refocus(element) {
    if (element && element !== document.body && document.contains(element)) {
      element.focus({ preventScroll: true });
    }
  }
  var dialog = document.getElementById("roadmap-overlay");
  if (dialog) {
    var previous = before || document.activeElement;
    var closeDialog = function () {
      dialog.hidden = true;
      refocus(previous);
    };
    var close = dialog.querySelector(".roadmap-close");
    if (close) {
      close.addEventListener("click", closeDialog);
    }
    dialog.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { closeDialog(); }
    });
    dialog.focus();
  } else {
    refocus(before);
  }
  function reload() {
    try {
      sessionStorage.setItem(key, String(window.scrollY));
      var active = document.activeElement;
      if (active && active.id && active !== dialog && !(dialog && dialog.contains(active))) {
        sessionStorage.setItem(focusKey, active.id);
      }
    } catch (e) {}
    location.reload();
  }
  function poll() {
    fetch("/__roadmap/events?since=" + version, { cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
      .then(function (s) { if (s.version !== version) { reload(); } else { setTimeout(poll, 200); } })
      .catch(function () { setTimeout(poll, 1000); });
  }
  poll();
})();
"#;

/// The overlay's style, served at `/__roadmap/overlay.css` (a file, so a strict CSP still allows it).
pub const STYLE: &str = r#"#roadmap-overlay{position:fixed;z-index:2147483647;left:1rem;right:1rem;bottom:1rem;max-height:75vh;overflow:auto;
margin:0 auto;max-width:60rem;padding:1rem 1.25rem;background:#fff;color:#1a1a1a;border:4px solid #b00020;border-radius:.5rem;
box-shadow:0 .5rem 2rem rgba(0,0,0,.35);font:16px/1.6 system-ui,-apple-system,"Hiragino Sans","Noto Sans JP",sans-serif;text-align:left}
#roadmap-overlay[hidden]{display:none}
#roadmap-overlay h2{margin:0 0 .5rem;font-size:1.25rem;color:#b00020}
#roadmap-overlay p{margin:.25rem 0}
#roadmap-overlay ol{margin:.75rem 0;padding-left:1.5rem}
#roadmap-overlay li{margin:0 0 1rem}
#roadmap-overlay code{font-family:ui-monospace,"Noto Sans Mono CJK JP",monospace;background:#f3f3f3;padding:0 .25rem}
#roadmap-overlay pre{margin:.25rem 0;padding:.5rem;overflow:auto;background:#f3f3f3;border-left:4px solid #b00020;
font:14px/1.5 ui-monospace,"Noto Sans Mono CJK JP",monospace;white-space:pre}
#roadmap-overlay .roadmap-message{font-weight:bold}
#roadmap-overlay .roadmap-close{font:inherit;padding:.25rem 1rem;margin-top:.5rem;cursor:pointer}
"#;

/// Adds the reload script (and, after a failed build, the overlay) before `</body>` of a page.
pub fn inject(html: &[u8], status: &Status) -> Vec<u8> {
    let snippet = snippet(status);
    let at = find_body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The position of the last `</body>`, in any letter case.
fn find_body_end(html: &[u8]) -> Option<usize> {
    const END: &[u8] = b"</body>";
    html.windows(END.len())
        .rposition(|w| w.eq_ignore_ascii_case(END))
}

/// The markup added to every page.
fn snippet(status: &Status) -> String {
    let overlay = status.problem.as_ref().map_or_else(String::new, |p| {
        format!(
            "<link rel=\"stylesheet\" href=\"{PREFIX}overlay.css\">{}",
            overlay(p, status.built)
        )
    });
    format!(
        "{overlay}<script src=\"{PREFIX}live.js\" data-version=\"{}\"></script>",
        status.version
    )
}

/// The overlay for a failed build.
pub fn overlay(problem: &Problem, built: bool) -> String {
    let lead = if built {
        "いま表示しているのは、最後に正しく作れたときのサイトです。下の誤りを直してファイルを保存すると、この表示は自動で消え、ページが新しくなります。"
    } else {
        "サイトをまだ一度も作れていません。下の誤りを直してファイルを保存すると、自動でサイトを作り直して表示します。"
    };
    let mut html = String::new();
    html.push_str("<section id=\"roadmap-overlay\" role=\"alertdialog\" aria-modal=\"false\" aria-labelledby=\"roadmap-overlay-title\" aria-describedby=\"roadmap-overlay-lead\" tabindex=\"-1\" lang=\"ja\">");
    html.push_str(&format!(
        "<h2 id=\"roadmap-overlay-title\">{}（プレビューだけに出る表示です）</h2>",
        escape(&title(problem))
    ));
    html.push_str(&format!("<p id=\"roadmap-overlay-lead\">{lead}</p>"));
    html.push_str(&details(problem));
    html.push_str("<p>誤りの読み方と直し方の一覧は、サイトのフォルダの <code>docs/errors.md</code> に、キーの書き方は <code>docs/content-format.md</code> にあります。</p>");
    html.push_str("<button type=\"button\" class=\"roadmap-close\">この表示を閉じる（Esc キーでも閉じます。次に保存したときにまた確かめます）</button>");
    html.push_str("</section>");
    html
}

fn title(problem: &Problem) -> String {
    match problem.kind {
        ProblemKind::Content => problem.summary.trim_end_matches('。').to_string(),
        ProblemKind::Theme => "テーマ（テンプレート）に誤りがあります。".to_string(),
        ProblemKind::Write => "サイトを書き出せませんでした。".to_string(),
        ProblemKind::Encode | ProblemKind::Usage => "サイトを作れませんでした。".to_string(),
    }
}

/// The list of diagnostics, or the whole message for problems without one.
fn details(problem: &Problem) -> String {
    if problem.diagnostics.is_empty() {
        return format!(
            "<pre class=\"roadmap-report\">{}</pre>",
            escape(&problem.summary)
        );
    }
    let items: String = problem.diagnostics.iter().map(diagnostic_item).collect();
    format!("<ol class=\"roadmap-diagnostics\">{items}</ol>")
}

/// One diagnostic: where, what, the line with a marker, and how to fix it.
fn diagnostic_item(diagnostic: &Diagnostic) -> String {
    let mut where_ = format!(
        "<code>{}</code>",
        escape(&diagnostic.path.display().to_string())
    );
    if let Some(location) = &diagnostic.location {
        where_.push_str(&format!(
            " の {} 行目・{} 文字目",
            location.line, location.column
        ));
    }
    if let Some(key) = &diagnostic.key {
        where_.push_str(&format!("（キー <code>{}</code>）", escape(key)));
    }
    let excerpt = diagnostic.location.as_ref().map_or_else(String::new, |l| {
        format!(
            "<pre class=\"roadmap-excerpt\">{}</pre>",
            escape(&excerpt(l))
        )
    });
    let hint = diagnostic.hint.as_ref().map_or_else(String::new, |h| {
        format!("<p class=\"roadmap-hint\">直し方: {}</p>", escape(h))
    });
    format!(
        "<li><p class=\"roadmap-where\">{where_}</p><p class=\"roadmap-message\">{}</p>{excerpt}{hint}</li>",
        escape(&diagnostic.message)
    )
}

/// The offending line with `^` under the part concerned, as `roadmap check` shows it.
pub fn excerpt(location: &Location) -> String {
    let number = location.line.to_string();
    let gutter = " ".repeat(number.len());
    let line = location.source_line.replace('\t', " ");
    let before: String = line
        .chars()
        .take(location.column.saturating_sub(1))
        .collect();
    let marked: String = line
        .chars()
        .skip(location.column.saturating_sub(1))
        .take(location.length)
        .collect();
    let indent = " ".repeat(before.width());
    let marker = "^".repeat(marked.width().max(1));
    format!("{number} | {line}\n{gutter} | {indent}{marker}")
}

/// The page served while no build has succeeded yet: only the overlay.
pub fn placeholder_page(status: &Status) -> Vec<u8> {
    let page = "<!DOCTYPE html><html lang=\"ja\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>プレビュー（サイトを作れていません）</title></head><body><main><h1>プレビュー</h1><p>サイトをまだ作れていません。誤りを直すと、このページは自動で新しくなります。</p></main></body></html>";
    inject(page.as_bytes(), status)
}

use crate::render::escape_xml as escape;

/// The status as JSON for `/__roadmap/status`: every field of every diagnostic.
pub fn status_json(status: &Status) -> serde_json::Value {
    let problem = status.problem.as_ref().map(|p| {
        serde_json::json!({
            "kind": p.kind.code(),
            "summary": p.summary,
            "text": p.text,
            "diagnostics": p.diagnostics.iter().map(diagnostic_json).collect::<Vec<_>>(),
        })
    });
    serde_json::json!({
        "version": status.version,
        "ok": status.problem.is_none(),
        "built": status.built,
        "seconds": status.seconds,
        "output": status.output.display().to_string(),
        "problem": problem,
    })
}

fn diagnostic_json(d: &Diagnostic) -> serde_json::Value {
    let location = d.location.as_ref();
    serde_json::json!({
        "path": d.path.display().to_string(),
        "line": location.map(|l| l.line),
        "column": location.map(|l| l.column),
        "key": d.key,
        "message": d.message,
        "hint": d.hint,
        "source_line": location.map(|l| l.source_line.clone()),
        "text": d.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::SourceFile;
    use crate::pipeline::Failure;
    use std::path::PathBuf;

    fn failed_status(text: &str, message: &str) -> Status {
        let file = SourceFile::new("content/a.md", text.to_string());
        let at = text.find("<b>").unwrap_or(0);
        let diagnostic = file
            .error_at(at..at + 3, message)
            .with_key("name")
            .with_hint("<直す>");
        Status {
            version: 7,
            built: true,
            problem: Some(Problem::from_failure(&Failure::Content(vec![diagnostic]))),
            seconds: 0.1,
            output: PathBuf::from("out"),
        }
    }

    #[test]
    fn the_script_goes_before_the_end_of_the_body() {
        let status = Status {
            version: 3,
            built: true,
            problem: None,
            seconds: 0.0,
            output: PathBuf::from("out"),
        };
        let page = inject(b"<html><body><p>x</p></BODY></html>", &status);
        let page = String::from_utf8(page).expect("utf8");
        assert_eq!(
            page,
            "<html><body><p>x</p><script src=\"/__roadmap/live.js\" data-version=\"3\"></script></BODY></html>"
        );
        assert!(!page.contains("roadmap-overlay"));
    }

    #[test]
    fn the_overlay_escapes_everything_from_files() {
        let status = failed_status("+++\nname = \"<b>\"\n", "名前 <script>alert(1)</script>");
        let page = String::from_utf8(inject(b"<body></body>", &status)).expect("utf8");
        assert!(page.contains("role=\"alertdialog\""), "{page}");
        assert!(
            page.contains("<code>content/a.md</code> の 2 行目・9 文字目"),
            "{page}"
        );
        assert!(page.contains("（キー <code>name</code>）"), "{page}");
        assert!(
            page.contains("名前 &lt;script&gt;alert(1)&lt;/script&gt;"),
            "{page}"
        );
        assert!(
            page.contains("2 | name = &quot;&lt;b&gt;&quot;\n  |         ^^^"),
            "{page}"
        );
        assert!(page.contains("直し方: &lt;直す&gt;"), "{page}");
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<b>"), "{page}");
    }

    #[test]
    fn the_status_carries_every_field() {
        let status = failed_status("+++\nname = \"<b>\"\n", "誤り");
        let json = status_json(&status);
        let d = &json["problem"]["diagnostics"][0];
        assert_eq!(d["path"], "content/a.md");
        assert_eq!(d["line"], 2);
        assert_eq!(d["column"], 9);
        assert_eq!(d["key"], "name");
        assert_eq!(d["hint"], "<直す>");
        assert_eq!(json["ok"], false);
        assert_eq!(json["version"], 7);
    }
}
