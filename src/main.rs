//! The command line: parses arguments and hands over to the pipeline, the preview server or the
//! project scaffolder.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use roadmap::check_report::{self, Format};
use roadmap::cli;
use roadmap::pipeline::{self, BuildOptions, Failure};
use roadmap::progress::{Indicator, Progress};
use roadmap::scaffold::{self, ScaffoldError};
use roadmap::serve::{self, ServeOptions};
use roadmap::site_root;
use roadmap::terminal::{error, notice, say, say_always, warn, write_raw};

// Rendering many pages makes and frees many small strings; mimalloc does that in a fraction of
// glibc's time (measured: see the commit that added it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::sync::Arc;

/// 青森県 DX関連事業ロードマップのサイトを作ります。
#[derive(Parser)]
#[command(
    name = "roadmap",
    version,
    about,
    disable_help_subcommand = true,
    override_usage = "roadmap [オプション] <コマンド>"
)]
struct Cli {
    /// 誤りだけを表示します（経過・お知らせ・結果の行を出しません）
    #[arg(short, long, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// サイトを作ります（config.toml・content/・themes/ を読み、output/ に書きます）。
    #[command(override_usage = "roadmap build [オプション]")]
    Build {
        /// サイトのフォルダ（既定: 今のフォルダから上にたどって最初に config.toml のあるフォルダ）
        #[arg(long, value_name = "フォルダ")]
        root: Option<PathBuf>,
        /// 書き出し先（既定: サイトのフォルダの output。相対パスは今のフォルダから）
        #[arg(long, value_name = "フォルダ")]
        output: Option<PathBuf>,
        /// 公開先のURL（config.toml の base_url を上書き）
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
    /// 内容を検査します（何も書き出しません）。
    #[command(override_usage = "roadmap check [オプション]")]
    Check {
        /// サイトのフォルダ（既定: 今のフォルダから上にたどって最初に config.toml のあるフォルダ）
        #[arg(long, value_name = "フォルダ")]
        root: Option<PathBuf>,
        /// 結果の形式: human（人が読む形。既定）、json、github（GitHub Actions の注釈）、gitlab（GitLab の Code Quality レポート）
        #[arg(long, value_enum, value_name = "形式", default_value = "human")]
        format: Format,
    },
    /// 確認用にサイトをブラウザで見られるようにし、ファイルを保存するたびに作り直します。
    #[command(override_usage = "roadmap serve [オプション]")]
    Serve {
        /// サイトのフォルダ（既定: 今のフォルダから上にたどって最初に config.toml のあるフォルダ）
        #[arg(long, value_name = "フォルダ")]
        root: Option<PathBuf>,
        /// 待ち受けるポート番号（既定: 8000、使われていれば空いている番号。0 は空いている番号）
        #[arg(long, value_name = "番号")]
        port: Option<u16>,
        /// 待ち受けるアドレス（既定: 127.0.0.1 ＝ このコンピューターからだけ見えます）
        #[arg(long, value_name = "アドレス", default_value = "127.0.0.1")]
        bind: IpAddr,
        /// 準備ができたら、確認用のページをブラウザで開きます
        #[arg(long)]
        open: bool,
    },
    /// 新しい事業ファイル content/<名前>.md を、すべてのキーと説明付きで作ります。
    #[command(override_usage = "roadmap new [オプション] <名前>")]
    New {
        /// 新しいファイルの名前（URL になります。半角英小文字・数字・ハイフン）。--from r6/<名前> のときは省略でき、同じ名前になります
        #[arg(
            allow_hyphen_values = true,
            value_name = "名前",
            required_unless_present = "from"
        )]
        slug: Option<String>,
        /// もとにする事業のファイル名（.md を除く）。その内容を写して、事業名だけを空にします。年度のフォルダがあるときは r6/<名前> のように年度版を付け、次の年度版のフォルダ（content/r7/）に事業名もそのまま写します
        #[arg(long, value_name = "名前")]
        from: Option<String>,
        /// サイトのフォルダ（既定: 今のフォルダから上にたどって最初に config.toml のあるフォルダ）
        #[arg(long, value_name = "フォルダ")]
        root: Option<PathBuf>,
    },
    /// シェルの入力補完の設定を書き出します（bash・zsh・fish・powershell・elvish）。
    #[command(override_usage = "roadmap completions <シェル>")]
    Completions {
        /// シェルの名前: bash、zsh、fish、powershell、elvish
        #[arg(value_enum, value_name = "シェル")]
        shell: clap_complete::Shell,
    },
    /// コマンドの使い方を表示します（roadmap help build など）。
    #[command(override_usage = "roadmap help [コマンド]")]
    Help {
        /// 使い方を見るコマンド
        #[arg(value_name = "コマンド")]
        command: Option<String>,
    },
}

/// The command line as clap reads it, with the Japanese help frame.
fn clap_command() -> clap::Command {
    cli::localize(Cli::command())
}

/// Parses the command line; on a mistake says it in Japanese (exit status 2).
fn parse(args: impl IntoIterator<Item = std::ffi::OsString>) -> Result<Cli, ExitCode> {
    let parsed = clap_command()
        .try_get_matches_from(args)
        .and_then(|matches| Cli::from_arg_matches(&matches));
    parsed.map_err(|e| {
        if cli::is_help_or_version(&e)
            || e.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
        {
            let _ = e.print();
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
        } else {
            error(&cli::error_text(&e));
            ExitCode::from(2)
        }
    })
}

fn main() -> ExitCode {
    roadmap::memory::keep_freed_memory();
    let status = match parse(std::env::args_os()) {
        Ok(cli) => {
            roadmap::terminal::set_quiet(cli.quiet);
            run(cli.command)
        }
        Err(status) => status,
    };
    match roadmap::terminal::stdout_failure() {
        Some(kind) => {
            let why = match kind {
                std::io::ErrorKind::StorageFull => "書き出し先に空きがありません".to_string(),
                std::io::ErrorKind::PermissionDenied => "書き込む権限がありません".to_string(),
                other => format!("書き込みの誤り: {other}"),
            };
            error(&format!("結果を標準出力に書き出せませんでした（{why}）。"));
            ExitCode::from(2)
        }
        None => status,
    }
}

/// The site folder: `--root`, or found from the current folder upwards.
fn site(root: Option<PathBuf>) -> Result<PathBuf, ExitCode> {
    site_root::locate(root).map_err(|e| {
        error(&e.to_string());
        ExitCode::from(2)
    })
}

fn run(command: Command) -> ExitCode {
    let root = match &command {
        Command::Build { root, .. }
        | Command::Check { root, .. }
        | Command::Serve { root, .. }
        | Command::New { root, .. } => match site(root.clone()) {
            Ok(root) => root,
            Err(status) => return status,
        },
        Command::Completions { .. } | Command::Help { .. } => PathBuf::new(),
    };
    match command {
        Command::Build {
            output, base_url, ..
        } => build(root, output, base_url),
        Command::Check { format, .. } => check(&root, format),
        Command::Serve {
            port, bind, open, ..
        } => serve_site(ServeOptions {
            root,
            port,
            bind,
            open,
        }),
        Command::New { slug, from, .. } => new_project(&root, slug.as_deref(), from.as_deref()),
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut clap_command(), "roadmap", &mut script);
            write_raw(&script);
            ExitCode::SUCCESS
        }
        Command::Help { command: None } => help(&[]),
        Command::Help {
            command: Some(name),
        } => help(&[name]),
    }
}

/// `roadmap help [command]`: the same page as `roadmap [command] --help`.
fn help(command: &[String]) -> ExitCode {
    let args = std::iter::once("roadmap".to_string())
        .chain(command.iter().cloned())
        .chain(std::iter::once("--help".to_string()))
        .map(std::ffi::OsString::from);
    match parse(args) {
        Ok(_) => ExitCode::SUCCESS,
        Err(status) => status,
    }
}

fn check(root: &Path, format: Format) -> ExitCode {
    let result = pipeline::check(root);
    if format == Format::Human {
        return finish(result.map(|report| {
            print_notices(&report.notices, None);
            say(&format!(
                "誤りはありません（事業 {} 件。すべてのページを作れることを確かめました）。",
                report.projects
            ));
        }));
    }
    // A machine format on standard output; the usual report for people on standard error.
    if let Some(diagnostics) = check_report::diagnostics_of(&result) {
        say_always(check_report::render(format, &diagnostics, root).trim_end());
    }
    finish(result.map(|report| {
        print_notices(&report.notices, None);
        notice(&format!(
            "誤りはありません（事業 {} 件。すべてのページを作れることを確かめました）。",
            report.projects
        ));
    }))
}

fn build(root: PathBuf, output: Option<PathBuf>, base_url: Option<String>) -> ExitCode {
    let output = output.unwrap_or_else(|| root.join("output"));
    let progress = Arc::new(Progress::default());
    let indicator = Indicator::start("作成中", Arc::clone(&progress));
    let options = BuildOptions {
        root,
        output: output.clone(),
        base_url,
        preview: false,
    };
    let result = pipeline::build_with_progress(&options, &progress);
    drop(indicator);
    finish(result.map(|report| {
        print_notices(&report.notices, Some(NOTICES_IN_BUILD));
        for stale in &report.removed_stale {
            say(&format!(
                "前回中断したビルドが残した作業用フォルダ {} を削除しました。",
                stale.display()
            ));
        }
        if !report.absolute_urls {
            say(
                "公開先のURLが設定されていないため（またはこのコンピューターのアドレスのため）、canonical・og:url・サイトマップ・新着情報（feed.xml）は書き出していません。config.toml に base_url = \"https://…/\" を書くか、--base-url で公開先のURLを指定してください。",
            );
        }
        say(&format!(
            "{} ページ（ほかに静的ファイル {} 個）を {} に書き出しました（事業 {} 件、事業費合計 {}、{:.2} 秒）。",
            report.pages,
            report.assets,
            output.display(),
            report.projects,
            report.total.display(),
            report.seconds
        ));
    }))
}

/// Notices go to standard error with the errors' layout; they do not change the exit status.
/// `check` shows them all, `build` the first [`NOTICES_IN_BUILD`].
fn print_notices(notices: &[roadmap::diagnostics::Diagnostic], limit: Option<usize>) {
    if !notices.is_empty() {
        notice(roadmap::diagnostics::notices_text(notices, limit).trim_end());
    }
}

/// How many notices `build` prints in full.
const NOTICES_IN_BUILD: usize = 10;

fn finish(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            report(&failure);
            ExitCode::from(failure.exit_code())
        }
    }
}

fn report(failure: &Failure) {
    if let Failure::Content(diagnostics) = failure {
        for diagnostic in diagnostics {
            warn(&diagnostic.to_string());
        }
    }
    error(&failure.to_string());
}

fn serve_site(options: ServeOptions) -> ExitCode {
    match serve::run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error(&e.to_string());
            ExitCode::from(2)
        }
    }
}

fn new_project(root: &std::path::Path, slug: Option<&str>, from: Option<&str>) -> ExitCode {
    match scaffold::create(root, slug, from) {
        Ok(path) => {
            say(&format!("{} を作りました。", path.display()));
            say(
                "ファイルを開いて、\"\" の間や = の後ろに事業シートの内容を書いてください。書けたら roadmap check で確かめられます（roadmap serve ならブラウザで確かめながら書けます）。",
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            if let ScaffoldError::Content(diagnostics) = &e {
                for diagnostic in diagnostics {
                    warn(&diagnostic.to_string());
                }
            }
            error(&e.to_string());
            ExitCode::from(e.exit_code())
        }
    }
}
