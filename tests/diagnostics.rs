//! Every kind of mistake an editor can make, each with the message it must get: file, line, key and
//! text. The same messages are listed for editors in docs/errors.md; a test checks that the two agree.

mod common;

use common::{copy_dir, repo};

use std::fs;
use std::path::{Path, PathBuf};

use roadmap::diagnostics::Diagnostic;
use roadmap::pipeline::{self, Failure};

const FILE: &str = "hekichi-online-shinryo-shien.md";

/// A site with the real config, vocabulary and theme, and one project file.
fn small_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    fs::create_dir_all(root.join("content")).expect("mkdir");
    fs::copy(repo().join("config.toml"), root.join("config.toml")).expect("config");
    // One edition's file directly in content/: a site without editions, as staff start one.
    fs::copy(
        repo().join("content/vocabulary.toml"),
        root.join("content/vocabulary.toml"),
    )
    .expect("copy");
    fs::copy(common::sheets().join(FILE), root.join("content").join(FILE)).expect("copy");
    copy_dir(&repo().join("themes"), &root.join("themes"));
    dir
}

fn project(root: &Path) -> PathBuf {
    root.join("content").join(FILE)
}

fn replace(root: &Path, from: &str, to: &str) {
    let text = fs::read_to_string(project(root)).expect("read");
    assert!(text.contains(from), "no {from:?} in {FILE}");
    fs::write(project(root), text.replacen(from, to, 1)).expect("write");
}

/// Removes the first row's `basis` and `reason` lines.
fn remove_first_basis(root: &Path) {
    let text = fs::read_to_string(project(root)).expect("read");
    let start = text.find("basis = ").expect("a basis");
    let reason = text[start..].find("reason = ").expect("a reason") + start;
    let end = text[reason..].find('\n').expect("line end") + reason + 1;
    fs::write(project(root), format!("{}{}", &text[..start], &text[end..])).expect("write");
}

/// The 1-based line of `needle` in a file.
fn line_in(path: &Path, needle: &str) -> usize {
    let text = fs::read_to_string(path).expect("read");
    let at = text.find(needle).unwrap_or_else(|| panic!("no {needle:?}"));
    text[..at].matches('\n').count() + 1
}

/// A mistake and what `check` must say about it.
struct Case {
    name: &'static str,
    change: fn(&Path),
    /// Text the (first) message must contain; also listed in docs/errors.md.
    message: &'static str,
    /// Text the hint must contain, if any.
    hint: Option<&'static str>,
    key: Option<&'static str>,
    /// Text on the reported line, to compute the expected line; `None` for a whole-file message.
    at: Option<&'static str>,
    /// The file the message names, relative to the root.
    file: &'static str,
}

const PROJECT: &str = "content/hekichi-online-shinryo-shien.md";

fn cases() -> Vec<Case> {
    vec![
        Case {
            name: "TOML syntax error (unclosed string)",
            change: |r| {
                replace(
                    r,
                    "name = \"へき地オンライン診療支援対策事業\"",
                    "name = \"へき地オンライン診療支援対策事業",
                )
            },
            message: "文字の終わりの \" がありません",
            hint: None,
            key: Some("name"),
            at: Some("name = \"へき地"),
            file: PROJECT,
        },
        Case {
            name: "no opening +++",
            change: |r| replace(r, "+++\nname", "name"),
            message: "1行目が +++ ではありません",
            hint: Some("+++ だけを書きます"),
            key: None,
            at: Some("name = "),
            file: PROJECT,
        },
        Case {
            name: "unclosed front matter",
            change: |r| {
                let text = fs::read_to_string(project(r)).expect("read");
                let closing = text.rfind("+++").expect("closing");
                fs::write(project(r), &text[..closing]).expect("write");
            },
            message: "前付けが +++ で閉じられていません",
            hint: Some("+++ だけの行を入れて"),
            key: None,
            at: Some("+++"),
            file: PROJECT,
        },
        Case {
            name: "empty file",
            change: |r| fs::write(project(r), "\n").expect("write"),
            message: "ファイルが空です",
            hint: None,
            key: None,
            at: None,
            file: PROJECT,
        },
        Case {
            name: "missing required key",
            change: |r| replace(r, "category = \"医療・福祉\"\n", ""),
            message: "必要なキー「category」がありません",
            hint: Some("category = \"医療・福祉\""),
            key: Some("category"),
            at: Some("+++"),
            file: PROJECT,
        },
        Case {
            name: "misspelt key",
            change: |r| replace(r, "budget = 4202", "budjet = 4202"),
            message: "「budjet」というキーは使えません",
            hint: Some("もしかして: budget"),
            key: Some("budjet"),
            at: Some("budjet"),
            file: PROJECT,
        },
        Case {
            name: "wrong type",
            change: |r| replace(r, "priority = false", "priority = \"○\""),
            message: "「priority」には true か false を書きます",
            hint: Some(
                "○ があれば priority = true、空欄なら priority = false と、\" \" を付けずに書きます。",
            ),
            key: Some("priority"),
            at: Some("priority ="),
            file: PROJECT,
        },
        Case {
            name: "negative budget",
            change: |r| replace(r, "budget = 4202", "budget = -4202"),
            message: "負の数",
            hint: Some("budget = 4202"),
            key: Some("budget"),
            at: Some("budget ="),
            file: PROJECT,
        },
        Case {
            name: "fractional budget",
            change: |r| replace(r, "budget = 4202", "budget = 4202.5"),
            message: "小数 4202.5",
            hint: Some("半角数字だけで"),
            key: Some("budget"),
            at: Some("budget ="),
            file: PROJECT,
        },
        Case {
            name: "budget as a string with commas",
            change: |r| replace(r, "budget = 4202", "budget = \"4,202\""),
            message: "「budget」には整数を書きます。文字 \"4,202\"",
            hint: Some("budget = 4202 と書きます"),
            key: Some("budget"),
            at: Some("budget ="),
            file: PROJECT,
        },
        Case {
            name: "budget in 万円 (refused, with the exact 千円 figure)",
            change: |r| replace(r, "budget = 4202", "budget = 420.2万円"),
            message: "事業費は千円単位で書きます。420.2万円 は 4,202千円です。",
            hint: Some("単位を付けず、budget = 4202 と書きます。"),
            key: Some("budget"),
            at: Some("budget ="),
            file: PROJECT,
        },
        Case {
            name: "budget in yen",
            change: |r| replace(r, "budget = 4202", "budget = 4,202,000円"),
            message: "事業費は千円単位で書きます。4,202,000円 は 4,202千円です。",
            hint: Some("budget = 4202 と書きます。"),
            key: Some("budget"),
            at: Some("budget ="),
            file: PROJECT,
        },
        Case {
            name: "budget left unfilled",
            change: |r| replace(r, "budget = 4202", "budget = "),
            message: "「budget」がまだ書かれていません。",
            hint: Some("4,202千円なら budget = 4202"),
            key: Some("budget"),
            at: Some("budget ="),
            file: PROJECT,
        },
        Case {
            name: "a text left unfilled",
            change: |r| replace(r, "field = \"暮らし・まち分野\"", "field = \"\""),
            message: "「field」がまだ書かれていません。",
            hint: Some("field = \"暮らし・まち分野\""),
            key: Some("field"),
            at: Some("field ="),
            file: PROJECT,
        },
        Case {
            name: "a cross for false",
            change: |r| replace(r, "priority = false", "priority = ×"),
            message: "「priority」には true か false を書きます。× は読めません。",
            hint: Some("空欄なら priority = false と"),
            key: Some("priority"),
            at: Some("priority ="),
            file: PROJECT,
        },
        Case {
            name: "a Japanese key",
            change: |r| replace(r, "budget = 4202", "事業費 = 4202"),
            message: "キー「事業費」は使えません。キーは半角の英字で、事業費は budget と書きます。",
            hint: Some("budget = 4202 と書きます。"),
            key: Some("budget"),
            at: Some("事業費 ="),
            file: PROJECT,
        },
        Case {
            name: "a Japanese key in quotes",
            change: |r| replace(r, "budget = 4202", "\"事業費\" = 4202"),
            message: "「事業費」というキーは使えません。",
            hint: Some("事業費は budget と書きます。"),
            key: Some("事業費"),
            at: Some("\"事業費\""),
            file: PROJECT,
        },
        Case {
            name: "a full-width space before a key",
            change: |r| replace(r, "budget = 4202", "\u{3000}budget = 4202"),
            message: "全角の空白があります。",
            hint: Some("全角の空白を消して、budget = 4202 と書きます。"),
            key: Some("budget"),
            at: Some("budget ="),
            file: PROJECT,
        },
        Case {
            name: "「、」 between list items",
            change: |r| {
                replace(
                    r,
                    "departments = [\"健康福祉部\"]",
                    "departments = [\"健康福祉部\"、\"警察本部\"]",
                )
            },
            message: "「departments」の区切りに全角の「、」が使われています。",
            hint: Some("departments = [\"健康福祉部\", \"警察本部\"] と書きます。"),
            key: Some("departments"),
            at: Some("departments ="),
            file: PROJECT,
        },
        Case {
            name: "a missing ]",
            change: |r| {
                replace(
                    r,
                    "departments = [\"健康福祉部\"]",
                    "departments = [\"健康福祉部\"",
                )
            },
            message: "「departments」の [ を閉じる ] がありません。",
            hint: Some("departments = [\"健康福祉部\"] と書きます。"),
            key: Some("departments"),
            at: Some("departments ="),
            file: PROJECT,
        },
        Case {
            name: "an unclosed \"\"\"",
            change: |r| replace(r, "を実施する。\n\"\"\"\n", "を実施する。\n\n"),
            message: "「overview」の文章を閉じる \"\"\" がありません。",
            hint: Some("文章の最後の行（15行目）の次に、\"\"\" だけの行を入れます。"),
            key: Some("overview"),
            at: Some("overview ="),
            file: PROJECT,
        },
        Case {
            name: "an unclosed \"\"\" at the end of the front matter",
            change: |r| {
                let text = fs::read_to_string(project(r)).expect("read");
                let last = text.rfind("reason = \"").expect("a reason");
                let end = text[last..].find("\"\n").expect("end") + last;
                let changed = format!(
                    "{}reason = \"\"\"\n{}{}",
                    &text[..last],
                    &text[last + "reason = \"".len()..end],
                    &text[end + 1..]
                );
                fs::write(project(r), changed).expect("write");
            },
            message: "「reason」の文章を閉じる \"\"\" がありません。",
            hint: Some("\"\"\" だけの行を入れます。"),
            key: Some("reason"),
            at: Some("reason = \"\"\""),
            file: PROJECT,
        },
        Case {
            name: "a \\ typed with the ¥ key",
            change: |r| replace(r, "label = \"整備概要作成\"", "label = \"整備\\概要作成\""),
            message: "「label」の文字の中に \\ があります（日本語のキーボードの ¥ キーで入力される文字です）。",
            hint: Some("label = \"整備￥概要作成\" と書きます"),
            key: Some("label"),
            at: Some("label = \"整備"),
            file: PROJECT,
        },
        Case {
            name: "a line break inside \"…\"",
            change: |r| {
                replace(
                    r,
                    "title = \"へき地オンライン診療整備\"",
                    "title = \"へき地オンライン\n診療整備\"",
                )
            },
            message: "「title」の文字が \" \" の途中で改行されています",
            hint: Some("title = \"へき地オンライン診療整備\" と書きます"),
            key: Some("title"),
            at: Some("title ="),
            file: PROJECT,
        },
        Case {
            name: "a deleted [[initiatives.roadmap]] line (a later row)",
            change: |r| {
                replace(
                    r,
                    "[[initiatives.roadmap]]\nlabel = \"コンサルタント委託\"",
                    "label = \"コンサルタント委託\"",
                )
            },
            message: "ロードマップの行の始まりの [[initiatives.roadmap]] の行がないようです。",
            hint: Some(
                "（label = \"コンサルタント委託\"）の前に、[[initiatives.roadmap]] だけの行を入れます。",
            ),
            key: Some("label"),
            at: Some("label = \"コンサルタント委託\""),
            file: PROJECT,
        },
        Case {
            name: "a deleted [[initiatives.roadmap]] line (the first row)",
            change: |r| {
                replace(
                    r,
                    "[[initiatives.roadmap]]\nlabel = \"整備概要作成\"",
                    "label = \"整備概要作成\"",
                )
            },
            message: "ロードマップの行の始まりの [[initiatives.roadmap]] の行がないようです。",
            hint: Some(
                "（label = \"整備概要作成\"）の前に、[[initiatives.roadmap]] だけの行を入れます。",
            ),
            key: Some("initiatives[1].label"),
            at: Some("label = \"整備概要作成\""),
            file: PROJECT,
        },
        Case {
            name: "a deleted [[initiatives]] line",
            change: |r| replace(r, "[[initiatives]]\ntitle", "title"),
            message: "取組の始まりの [[initiatives]] の行がないようです。",
            hint: Some("の前に、[[initiatives]] だけの行を入れます。"),
            key: Some("title"),
            at: Some("title ="),
            file: PROJECT,
        },
        Case {
            name: "text not quoted",
            change: |r| replace(r, "category = \"医療・福祉\"", "category = 医療・福祉"),
            message: "文字は \" で囲みます。",
            hint: Some("\"医療・福祉\""),
            key: Some("category"),
            at: Some("category ="),
            file: PROJECT,
        },
        Case {
            name: "H32 does not exist",
            change: |r| replace(r, "start = \"R6\"", "start = \"H32\""),
            message: "平成は31年度まで",
            hint: Some("\"R2\""),
            key: Some("start"),
            at: Some("start ="),
            file: PROJECT,
        },
        Case {
            name: "R0 does not exist",
            change: |r| replace(r, "start = \"R6\"", "start = \"R0\""),
            message: "令和は1年から始まります",
            hint: Some("\"R1\""),
            key: Some("start"),
            at: Some("start ="),
            file: PROJECT,
        },
        Case {
            name: "year written with 年度",
            change: |r| replace(r, "start = \"R6\"", "start = \"R6年度\""),
            message: "「R6年度」は年度として読めません",
            hint: Some("\"R6\" のように"),
            key: Some("start"),
            at: Some("start ="),
            file: PROJECT,
        },
        Case {
            name: "end before start",
            change: |r| replace(r, "end = \"未定\"", "end = \"R5\""),
            message: "事業終期（令和5年度（2023年度））が事業始期（令和6年度（2024年度））より前です",
            hint: None,
            key: Some("end"),
            at: Some("end ="),
            file: PROJECT,
        },
        Case {
            name: "roadmap year outside the columns",
            change: |r| replace(r, "years = [\"R6\"]", "years = [\"R11\"]"),
            message: "令和11年度（2029年度） はロードマップの列（R6、R7、R8、R9、R10）にない年度です",
            hint: None,
            key: Some("initiatives[1].roadmap[1].years"),
            at: Some("years = [\"R11\"]"),
            file: PROJECT,
        },
        Case {
            name: "roadmap kind",
            change: |r| replace(r, "kind = \"計画\"", "kind = \"予定\""),
            message: "kind に「予定」は使えません",
            hint: Some("\"計画\" または \"実績\""),
            key: Some("initiatives[1].roadmap[1].kind"),
            at: Some("kind = \"予定\""),
            file: PROJECT,
        },
        Case {
            name: "roadmap row without basis",
            change: |r| {
                remove_first_basis(r);
            },
            message: "必要なキー「basis」がありません",
            hint: Some("basis = \"資料どおり\""),
            key: Some("initiatives[1].roadmap[1].basis"),
            at: Some("[[initiatives.roadmap]]"),
            file: PROJECT,
        },
        Case {
            name: "roadmap basis not a known word",
            change: |r| replace(r, "basis = \"推定\"", "basis = \"推測\""),
            message: "basis に「推測」は使えません",
            hint: Some("\"資料どおり\""),
            key: Some("initiatives[1].roadmap[1].basis"),
            at: Some("basis = \"推測\""),
            file: PROJECT,
        },
        Case {
            name: "inferred years without a reason",
            change: |r| {
                remove_first_basis(r);
                replace(
                    r,
                    "[[initiatives.roadmap]]\nlabel = \"整備概要作成\"",
                    "[[initiatives.roadmap]]\nbasis = \"推定\"\nlabel = \"整備概要作成\"",
                );
            },
            message: "年度を推定した行には、推定の理由（reason）が必要です",
            hint: Some("reason = "),
            key: Some("initiatives[1].roadmap[1].reason"),
            at: Some("basis = \"推定\""),
            file: PROJECT,
        },
        Case {
            name: "a reason on a row as written",
            change: |r| replace(r, "basis = \"推定\"", "basis = \"資料どおり\""),
            message: "reason は basis = \"推定\" の行にだけ書きます",
            hint: None,
            key: Some("initiatives[1].roadmap[1].reason"),
            at: Some("reason ="),
            file: PROJECT,
        },
        Case {
            name: "a budget above the bound",
            change: |r| replace(r, "budget = 4202", "budget = 18446744073709551615"),
            message: "は大きすぎます（1事業の上限は 1,000,000,000千円＝1兆円）",
            hint: Some("千円単位"),
            key: Some("budget"),
            at: Some("budget ="),
            file: PROJECT,
        },
        Case {
            name: "a zero-width space in a name",
            change: |r| {
                replace(
                    r,
                    "name = \"へき地オンライン診療支援対策事業\"",
                    "name = \"へき地オンライン\u{200B}診療支援対策事業\"",
                )
            },
            message: "「name」に見えない文字（U+200B）があります。",
            hint: Some("幅のない文字"),
            key: Some("name"),
            at: Some("name ="),
            file: PROJECT,
        },
        Case {
            name: "a control character written as an escape",
            change: |r| {
                replace(
                    r,
                    "label = \"整備概要作成\"",
                    "label = \"整備\\u0001概要作成\"",
                )
            },
            message: "「label」に見えない文字（U+0001）があります。",
            hint: Some("制御文字"),
            key: Some("initiatives[1].roadmap[1].label"),
            at: Some("label = \"整備"),
            file: PROJECT,
        },
        Case {
            name: "a project file ending in .MD",
            change: |r| {
                fs::copy(project(r), r.join("content/extra.MD")).expect("copy");
            },
            message: "事業ファイルのようですが、名前が .md で終わらないため読めません。",
            hint: Some(".MD は読みません"),
            key: None,
            at: None,
            file: "content/extra.MD",
        },
        Case {
            name: "a project file named only .md",
            change: |r| {
                fs::copy(project(r), r.join("content/.md")).expect("copy");
            },
            message: "事業ファイルのようですが、名前が .md で終わらないため読めません。",
            hint: Some("「.」で始まっています"),
            key: None,
            at: None,
            file: "content/.md",
        },
        Case {
            name: "a link to a folder in content",
            change: |r| {
                fs::create_dir_all(r.join("elsewhere")).expect("mkdir");
                std::os::unix::fs::symlink(r.join("elsewhere"), r.join("content/linked"))
                    .expect("link");
            },
            message: "フォルダへのリンク（シンボリックリンク）は読みません。",
            hint: None,
            key: None,
            at: None,
            file: "content/linked",
        },
        Case {
            name: "a date that does not exist",
            change: |r| {
                let path = r.join("config.toml");
                let text = fs::read_to_string(&path).expect("read");
                fs::write(
                    &path,
                    text.replace("updated = \"2026-11-25\"", "updated = \"2026-02-31\""),
                )
                .expect("write");
            },
            message: "日付は \"2026-11-25\" のように、年-月-日で書きます。",
            hint: None,
            key: Some("updated"),
            at: Some("updated ="),
            file: "config.toml",
        },
        Case {
            name: "a local government code with a wrong check digit",
            change: |r| {
                let path = r.join("config.toml");
                let text = fs::read_to_string(&path).expect("read");
                let written = "# local_government_code = \"020001\"";
                assert!(text.contains(written), "config.toml shows the key");
                fs::write(
                    &path,
                    text.replace(
                        written,
                        "publisher = \"青森県\"\nlocal_government_code = \"020002\"",
                    ),
                )
                .expect("write");
            },
            message: "全国地方公共団体コード「020002」の検査数字（6桁目）が合いません。",
            hint: Some("総務省"),
            key: Some("local_government_code"),
            at: Some("local_government_code ="),
            file: "config.toml",
        },
        Case {
            name: "a local government code without a publisher",
            change: |r| {
                let path = r.join("config.toml");
                let text = fs::read_to_string(&path).expect("read");
                fs::write(
                    &path,
                    text.replace(
                        "# local_government_code = \"020001\"",
                        "local_government_code = \"020001\"",
                    ),
                )
                .expect("write");
            },
            message: "全国地方公共団体コードは発行者のコードです。発行者（publisher）が書かれていません。",
            hint: Some("publisher"),
            key: Some("local_government_code"),
            at: Some("local_government_code ="),
            file: "config.toml",
        },
        Case {
            name: "a theme outside themes/",
            change: |r| {
                let path = r.join("config.toml");
                let text = fs::read_to_string(&path).expect("read");
                fs::write(
                    &path,
                    text.replace("theme = \"default\"", "theme = \"../../etc\""),
                )
                .expect("write");
            },
            message: "theme「../../etc」は使えません。",
            hint: Some("/ や .. は使えません"),
            key: Some("theme"),
            at: None,
            file: "config.toml",
        },
        Case {
            name: "a text longer than any sheet's",
            change: |r| {
                let long = "あ".repeat(10_001);
                let path = project(r);
                let text = fs::read_to_string(&path).expect("read");
                fs::write(
                    &path,
                    text.replacen(
                        "overview = \"\"\"\n",
                        &format!("overview = \"\"\"\n{long}"),
                        1,
                    ),
                )
                .expect("write");
            },
            message: "「overview」の文章が長すぎます",
            hint: Some("貼り付け"),
            key: Some("overview"),
            at: Some("overview ="),
            file: PROJECT,
        },
        Case {
            name: "more roadmap rows than a sheet has",
            change: |r| {
                let row = "[[initiatives.roadmap]]\nlabel = \"追加\"\nkind = \"計画\"\nyears = [\"R6\"]\nbasis = \"資料どおり\"\n\n";
                let path = project(r);
                let text = fs::read_to_string(&path).expect("read");
                let at = text.find("[[initiatives.roadmap]]").expect("a row");
                fs::write(
                    &path,
                    format!("{}{}{}", &text[..at], row.repeat(50), &text[at..]),
                )
                .expect("write");
            },
            message: "「roadmap」が多すぎます（55 個。50 個まで）。",
            hint: None,
            key: Some("initiatives[1].roadmap"),
            at: Some("[[initiatives.roadmap]]"),
            file: PROJECT,
        },
        Case {
            name: "a file larger than any sheet",
            change: |r| {
                let path = project(r);
                let mut text = fs::read_to_string(&path).expect("read");
                text.push_str(&"あ".repeat(100_000));
                fs::write(&path, text).expect("write");
            },
            message: "ファイルが大きすぎます",
            hint: None,
            key: None,
            at: None,
            file: PROJECT,
        },
        Case {
            name: "year label outside the row's years",
            change: |r| {
                replace(
                    r,
                    "years = [\"R6\"]",
                    "years = [\"R6\"]\nyear_labels = { R7 = \"①\" }",
                )
            },
            message: "year_labels の R7 が years に含まれていません",
            hint: None,
            key: Some("initiatives[1].roadmap[1].year_labels"),
            at: Some("year_labels"),
            file: PROJECT,
        },
        Case {
            name: "undeclared field",
            change: |r| {
                replace(
                    r,
                    "field = \"暮らし・まち分野\"",
                    "field = \"くらし・まち分野\"",
                )
            },
            message: "分野「くらし・まち分野」は宣言されていません",
            hint: Some("もしかして: 暮らし・まち分野"),
            key: Some("field"),
            at: Some("field ="),
            file: PROJECT,
        },
        Case {
            name: "undeclared category",
            change: |r| replace(r, "category = \"医療・福祉\"", "category = \"医療福祉\""),
            message: "暮らし・まち分野の項目「医療福祉」は宣言されていません",
            hint: Some("もしかして: 医療・福祉"),
            key: Some("category"),
            at: Some("category ="),
            file: PROJECT,
        },
        Case {
            name: "undeclared department",
            change: |r| {
                replace(
                    r,
                    "departments = [\"健康福祉部\"]",
                    "departments = [\"健康福祉\"]",
                )
            },
            message: "部局「健康福祉」は宣言されていません",
            hint: Some("もしかして: 健康福祉部"),
            key: Some("departments"),
            at: Some("departments ="),
            file: PROJECT,
        },
        Case {
            name: "section of another department",
            change: |r| replace(r, "sections = [\"医療薬務課\"]", "sections = [\"道路課\"]"),
            message: "課「道路課」は、この事業の担当部局ではない「県土整備部」の課です",
            hint: Some("departments に \"県土整備部\" を加える"),
            key: Some("sections"),
            at: Some("sections ="),
            file: PROJECT,
        },
        Case {
            name: "undeclared section",
            change: |r| {
                replace(
                    r,
                    "sections = [\"医療薬務課\"]",
                    "sections = [\"医療薬務\"]",
                )
            },
            message: "課「医療薬務」は宣言されていません",
            hint: Some("もしかして: 医療薬務課"),
            key: Some("sections"),
            at: Some("sections ="),
            file: PROJECT,
        },
        Case {
            name: "raw HTML in a text",
            change: |r| {
                replace(
                    r,
                    "代診医派遣のオンライン化",
                    "代診医派遣の<script>alert(1)</script>オンライン化",
                )
            },
            message: "HTMLのタグ <script> は使えません",
            hint: Some("Markdown で書きます"),
            key: Some("overview"),
            at: Some("<script>"),
            file: PROJECT,
        },
        Case {
            name: "javascript: link",
            change: |r| {
                replace(
                    r,
                    "代診医派遣のオンライン化",
                    "[代診医派遣](javascript:alert(1))のオンライン化",
                )
            },
            message: "リンク先「javascript:alert(1)」は使えません",
            hint: Some("https://"),
            key: Some("overview"),
            at: Some("javascript:"),
            file: PROJECT,
        },
        Case {
            name: "image in the body",
            change: |r| {
                let text = fs::read_to_string(project(r)).expect("read");
                fs::write(project(r), format!("{text}\n![図](zu.png)\n")).expect("write");
            },
            message: "画像（zu.png）は載せられません",
            hint: None,
            key: Some("(本文)"),
            at: Some("![図]"),
            file: PROJECT,
        },
        Case {
            name: "a control character in the body",
            change: |r| {
                let text = fs::read_to_string(project(r)).expect("read");
                fs::write(project(r), format!("{text}\n備考\u{1}です。\n")).expect("write");
            },
            message: "本文に見えない文字（U+0001）があります。",
            hint: Some("制御文字"),
            key: Some("(本文)"),
            at: Some("\u{1}"),
            file: PROJECT,
        },
        Case {
            name: "not UTF-8",
            change: |r| {
                let mut bytes = fs::read(project(r)).expect("read");
                let at = bytes
                    .windows(6)
                    .position(|w| w == b"budget")
                    .expect("budget");
                bytes.splice(at..at, [0x83, 0x41]); // Shift_JIS 「ア」
                fs::write(project(r), bytes).expect("write");
            },
            message: "7行目に UTF-8 として読めない文字があります",
            hint: Some("UTF-8 にして保存し直して"),
            key: None,
            at: None,
            file: PROJECT,
        },
        Case {
            name: "file name that cannot be a URL",
            change: |r| {
                fs::rename(project(r), r.join("content/Hekichi Online.md")).expect("rename");
            },
            message: "ファイル名「Hekichi Online」はURLに使えません",
            hint: Some("半角の英小文字・数字・ハイフン"),
            key: None,
            at: None,
            file: "content/Hekichi Online.md",
        },
        Case {
            name: "same slug twice",
            change: |r| {
                fs::create_dir_all(r.join("content/sub")).expect("mkdir");
                let text = fs::read_to_string(project(r)).expect("read");
                let renamed = text.replacen(
                    "name = \"へき地オンライン診療支援対策事業\"",
                    "name = \"別の事業\"",
                    1,
                );
                fs::write(r.join("content/sub").join(FILE), renamed).expect("write");
            },
            message: "slug（ファイル名）「hekichi-online-shinryo-shien」が content/hekichi-online-shinryo-shien.md と同じです",
            hint: None,
            key: None,
            at: None,
            file: "content/sub/hekichi-online-shinryo-shien.md",
        },
        Case {
            name: "same name twice",
            change: |r| {
                fs::copy(project(r), r.join("content/zz-copy.md")).expect("copy");
            },
            message: "事業名（name）「へき地オンライン診療支援対策事業」が content/hekichi-online-shinryo-shien.md と同じです",
            hint: None,
            key: None,
            at: None,
            file: "content/zz-copy.md",
        },
        Case {
            name: "symbolic link outside the content directory",
            change: |r| {
                let outside = r.join("outside.md");
                fs::copy(project(r), &outside).expect("copy");
                fs::remove_file(project(r)).expect("remove");
                std::os::unix::fs::symlink(&outside, project(r)).expect("symlink");
            },
            message: "content フォルダの外を指すリンク（シンボリックリンク）は読みません",
            hint: None,
            key: None,
            at: None,
            file: PROJECT,
        },
        Case {
            name: "done_note without done",
            change: |r| {
                replace(
                    r,
                    "kind = \"計画\"\n",
                    "kind = \"計画\"\ndone_note = \"見本\"\n",
                )
            },
            message: "done_note は、実績の年度（done）といっしょに書きます。",
            hint: Some("done = []"),
            key: Some("initiatives[1].roadmap[1].done_note"),
            at: Some("done_note = "),
            file: PROJECT,
        },
        Case {
            name: "done on a 実績 row",
            change: |r| replace(r, "kind = \"計画\"\n", "kind = \"実績\"\ndone = [\"R6\"]\n"),
            message: "done は計画の行（kind = \"計画\"）に書きます。実績の行には書けません。",
            hint: Some("実績の行の years が実施した年度です"),
            key: Some("initiatives[1].roadmap[1].done"),
            at: Some("done = "),
            file: PROJECT,
        },
        Case {
            name: "実績 written twice",
            change: |r| {
                let text = fs::read_to_string(project(r)).expect("read");
                let start = text.find("[[initiatives.roadmap]]").expect("a row");
                let end = text[start + 1..]
                    .find("\n[[")
                    .map_or(text.len(), |e| e + start + 2);
                let row = &text[start..end];
                let plan =
                    row.replacen("kind = \"計画\"\n", "kind = \"計画\"\ndone = [\"R6\"]\n", 1);
                let actual = row
                    .replacen("kind = \"計画\"", "kind = \"実績\"", 1)
                    .replacen("\"\n", "\" # 実績の行\n", 1);
                let text = format!("{}{plan}{actual}{}", &text[..start], &text[end..]);
                fs::write(project(r), text).expect("write");
            },
            message: "の実績が、計画の行の done と実績の行の2か所に書かれています。",
            hint: Some("どちらか一方にまとめてください"),
            key: Some("initiatives[1].roadmap[2].label"),
            at: Some("# 実績の行"),
            file: PROJECT,
        },
        Case {
            name: "updated not a date",
            change: |r| replace(r, "+++\nname", "+++\nupdated = \"2025/4/1\"\nname"),
            message: "updated の「2025/4/1」は日付として読めません。",
            hint: Some("年-月-日"),
            key: Some("updated"),
            at: Some("updated = "),
            file: PROJECT,
        },
    ]
}

fn diagnostics(root: &Path) -> Vec<Diagnostic> {
    match pipeline::check(root) {
        Ok(_) => Vec::new(),
        Err(Failure::Content(diagnostics)) => diagnostics,
        Err(other) => panic!("not a content failure: {other}"),
    }
}

#[test]
fn the_real_content_is_clean() {
    assert!(pipeline::check(&repo()).is_ok());
    assert!(diagnostics(small_site().path()).is_empty());
}

#[test]
fn every_mistake_gets_its_message_at_its_place() {
    for case in cases() {
        let site = small_site();
        let root = site.path();
        (case.change)(root);
        let found = diagnostics(root);
        assert_eq!(
            found.len(),
            1,
            "{}: expected one message, got:\n{}",
            case.name,
            shown(&found)
        );
        let d = &found[0];
        assert!(
            d.message.contains(case.message),
            "{}: {}",
            case.name,
            d.message
        );
        assert_eq!(d.path, Path::new(case.file), "{}", case.name);
        assert_eq!(d.key.as_deref(), case.key, "{}: key", case.name);
        if let Some(hint) = case.hint {
            let given = d.hint.as_deref().unwrap_or_default();
            assert!(given.contains(hint), "{}: hint {given:?}", case.name);
        }
        match case.at {
            Some(needle) => assert_eq!(
                d.line(),
                line_in(&root.join(case.file), needle),
                "{}: line",
                case.name
            ),
            None => assert!(
                d.location.is_none() || d.line() == 1,
                "{}: {:?}",
                case.name,
                d.location
            ),
        }
        let text = d.to_string();
        assert!(text.starts_with(case.file), "{}: {text}", case.name);
        for english in ENGLISH {
            assert!(!text.contains(english), "{}: English in {text}", case.name);
        }
    }
}

/// Words of the TOML parser's English messages: none may reach staff.
const ENGLISH: &[&str] = &[
    "expected",
    "invalid",
    "missing",
    "unexpected",
    "unclosed",
    "duplicate",
    "quoted",
    "string",
];

/// The budget of the one project, as it will be published, and the notices.
fn budget_read(root: &Path) -> (u64, Vec<Diagnostic>) {
    match pipeline::load(root) {
        Ok(loaded) => (
            loaded.site.projects[0].budget.thousand_yen(),
            loaded.notices,
        ),
        Err(Failure::Content(d)) => panic!("not accepted:\n{}", shown(&d)),
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn unambiguous_numbers_are_read_exactly_with_a_notice() {
    for written in [
        "4,202千円",
        "4202千円",
        "4,202",
        "４２０２",
        "４，２０２",
        "４，２０２千円",
    ] {
        let site = small_site();
        replace(site.path(), "budget = 4202", &format!("budget = {written}"));
        let (budget, notices) = budget_read(site.path());
        assert_eq!(budget, 4202, "{written}");
        let notice = notices
            .iter()
            .find(|n| n.key.as_deref() == Some("budget"))
            .unwrap_or_else(|| panic!("{written}: no notice"));
        assert_eq!(
            notice.message,
            format!("「budget」の「{written}」を 4,202千円 として読みました。")
        );
        assert_eq!(notice.line(), line_in(&project(site.path()), "budget ="));
        assert!(
            notice
                .hint
                .as_deref()
                .unwrap_or_default()
                .contains("書き直すなら budget = 4202 と書きます。")
        );
    }
    // Large amounts stay exact to the last 千円.
    let site = small_site();
    replace(site.path(), "budget = 4202", "budget = 123,456,789千円");
    assert_eq!(budget_read(site.path()).0, 123_456_789);
}

#[test]
fn a_circle_is_read_as_true_with_a_notice() {
    let site = small_site();
    replace(site.path(), "priority = false", "priority = ○");
    let loaded = pipeline::load(site.path()).unwrap_or_else(|_| panic!("not accepted"));
    assert!(loaded.site.projects[0].priority);
    let notice = loaded
        .notices
        .iter()
        .find(|n| n.key.as_deref() == Some("priority"))
        .expect("a notice");
    assert_eq!(
        notice.message,
        "「priority」の ○ を true（○ あり）として読みました。"
    );
}

#[test]
fn ambiguous_numbers_are_refused() {
    for (written, message) in [
        ("42,02", "カンマの位置が3けたごとではありません"),
        ("4202.5千円", "千円単位の整数になりません"),
        ("420.25万円", "千円単位の整数になりません"),
        ("4,202,500円", "千円単位の整数になりません"),
    ] {
        let site = small_site();
        replace(site.path(), "budget = 4202", &format!("budget = {written}"));
        let found = diagnostics(site.path());
        assert_eq!(found.len(), 1, "{written}: {}", shown(&found));
        assert!(
            found[0].message.contains(message),
            "{written}: {}",
            found[0].message
        );
    }
}

#[test]
fn slips_and_other_mistakes_are_reported_together() {
    let site = small_site();
    replace(site.path(), "budget = 4202", "事業費 = 4202");
    replace(site.path(), "start = \"R6\"", "start = \"R0\"");
    let found = diagnostics(site.path());
    assert_eq!(found.len(), 2, "{}", shown(&found));
    assert!(found[0].message.contains("事業費"));
    assert!(found[1].message.contains("令和は1年から始まります"));
}

fn shown(found: &[Diagnostic]) -> String {
    found.iter().map(|d| d.to_string()).collect()
}

#[test]
fn bom_and_crlf_are_accepted_silently() {
    let site = small_site();
    let text = fs::read_to_string(project(site.path())).expect("read");
    let windows = format!("\u{FEFF}{}", text.replace('\n', "\r\n"));
    fs::write(project(site.path()), windows).expect("write");
    assert!(diagnostics(site.path()).is_empty());
}

#[test]
fn crlf_files_report_the_same_lines() {
    let site = small_site();
    let text = fs::read_to_string(project(site.path())).expect("read");
    let broken = text
        .replacen("budget = 4202", "budget = \"4,202\"", 1)
        .replace('\n', "\r\n");
    fs::write(project(site.path()), format!("\u{FEFF}{broken}")).expect("write");
    let found = diagnostics(site.path());
    let line = text[..text.find("budget").expect("budget")]
        .matches('\n')
        .count()
        + 1;
    assert_eq!(found.len(), 1);
    assert_eq!(
        (
            found[0].line(),
            found[0].location.as_ref().map(|l| l.column)
        ),
        (line, Some(10))
    );
}

#[test]
fn problems_are_sorted_by_file_then_line_and_all_reported() {
    let site = small_site();
    replace(site.path(), "priority = false", "priority = 0");
    replace(site.path(), "budget = 4202", "budjet = 4202");
    replace(site.path(), "start = \"R6\"", "start = \"R0\"");
    let text = fs::read_to_string(project(site.path())).expect("read");
    fs::write(
        site.path().join("content/a-first.md"),
        text.replacen("name = \"", "name = \"A", 1),
    )
    .expect("write");
    let found = diagnostics(site.path());
    let places: Vec<(String, usize)> = found
        .iter()
        .map(|d| (d.path.display().to_string(), d.line()))
        .collect();
    let mut sorted = places.clone();
    sorted.sort();
    assert_eq!(places, sorted);
    // Three problems (budjet, priority, start) in each of the two files.
    assert_eq!(found.len(), 6, "{}", shown(&found));
}

#[test]
fn every_tested_message_is_documented_for_editors() {
    let guide = fs::read_to_string(repo().join("docs/errors.md")).expect("docs/errors.md");
    for case in cases() {
        let documented = case.message.replace('|', "\\|");
        assert!(
            guide.contains(&documented),
            "docs/errors.md lacks the message of {}: {}",
            case.name,
            case.message
        );
    }
}

#[test]
fn a_config_mistake_does_not_hide_the_content_mistakes() {
    let site = small_site();
    let root = site.path();
    let config = root.join("config.toml");
    let text = fs::read_to_string(&config).expect("read");
    fs::write(
        &config,
        text.replace("last_year = \"R10\"", "last_year = \"R10年度\""),
    )
    .expect("write");
    replace(root, "budget = 4202", "budjet = 4202");
    let text = fs::read_to_string(project(root)).expect("read");
    fs::write(
        root.join("content/second.md"),
        text.replacen("name = \"", "name = \"二つ目", 1).replacen(
            "kind = \"計画\"",
            "kind = \"計画",
            1,
        ),
    )
    .expect("write");
    let found = diagnostics(root);
    let files: Vec<String> = found.iter().map(|d| d.path.display().to_string()).collect();
    assert!(
        files.contains(&"config.toml".to_string()),
        "{}",
        shown(&found)
    );
    assert!(
        found
            .iter()
            .any(|d| d.path == Path::new(PROJECT) && d.message.contains("budjet")),
        "the misspelt key is reported too:\n{}",
        shown(&found)
    );
    assert!(
        found
            .iter()
            .any(|d| d.path == Path::new("content/second.md")),
        "the broken TOML is reported too:\n{}",
        shown(&found)
    );
}
