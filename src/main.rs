//! The command line: parses arguments and hands over to the pipeline, the preview server or the
//! project scaffolder.

use std::net::IpAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use roadmap::pipeline::{self, BuildOptions, Failure};
use roadmap::progress::{Indicator, Progress};
use roadmap::scaffold::{self, ScaffoldError};
use roadmap::serve::{self, ServeOptions};
use roadmap::terminal::{say, warn};

// Rendering many pages makes and frees many small strings; mimalloc does that in a fraction of
// glibc's time (measured: see the commit that added it).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use std::sync::Arc;

/// 青森県 DX関連事業ロードマップのサイトを作ります。
#[derive(Parser)]
#[command(name = "roadmap", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// サイトを作ります（config.toml・content/・themes/ を読み、output/ に書きます）。
    Build {
        /// サイトのフォルダ（config.toml のある場所）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 書き出し先（既定: <root>/output）
        #[arg(long)]
        output: Option<PathBuf>,
        /// 公開先のURL（config.toml の base_url を上書き）
        #[arg(long)]
        base_url: Option<String>,
    },
    /// 内容を検査します（何も書き出しません）。
    Check {
        /// サイトのフォルダ（config.toml のある場所）
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
    /// 確認用にサイトをブラウザで見られるようにし、ファイルを保存するたびに作り直します。
    Serve {
        /// サイトのフォルダ（config.toml のある場所）
        #[arg(long, default_value = ".")]
        root: PathBuf,
        /// 待ち受けるポート番号（既定: 8000、使われていれば空いている番号。0 は空いている番号）
        #[arg(long)]
        port: Option<u16>,
        /// 待ち受けるアドレス（既定: 127.0.0.1 ＝ このコンピューターからだけ見えます）
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
    },
    /// 新しい事業ファイル content/<slug>.md を、すべてのキーと説明付きで作ります。
    New {
        /// 新しいファイルの名前（URL になります。半角英小文字・数字・ハイフン）
        #[arg(allow_hyphen_values = true)]
        slug: String,
        /// もとにする事業のファイル名（.md を除く）。その内容を写して、事業名だけを空にします。
        #[arg(long)]
        from: Option<String>,
        /// サイトのフォルダ（config.toml のある場所）
        #[arg(long, default_value = ".")]
        root: PathBuf,
    },
}

fn main() -> ExitCode {
    let status = run(Cli::parse().command);
    match roadmap::terminal::stdout_failure() {
        Some(kind) => {
            let why = match kind {
                std::io::ErrorKind::StorageFull => "書き出し先に空きがありません".to_string(),
                std::io::ErrorKind::PermissionDenied => "書き込む権限がありません".to_string(),
                other => format!("書き込みの誤り: {other}"),
            };
            warn(&format!("結果を標準出力に書き出せませんでした（{why}）。"));
            ExitCode::from(2)
        }
        None => status,
    }
}

fn run(command: Command) -> ExitCode {
    match command {
        Command::Build {
            root,
            output,
            base_url,
        } => build(root, output, base_url),
        Command::Check { root } => finish(pipeline::check(&root).map(|report| {
            print_notices(&report.notices, None);
            say(&format!(
                "誤りはありません（事業 {} 件。すべてのページを作れることを確かめました）。",
                report.projects
            ));
        })),
        Command::Serve { root, port, bind } => serve_site(ServeOptions { root, port, bind }),
        Command::New { slug, from, root } => new_project(&root, &slug, from.as_deref()),
    }
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
        warn(roadmap::diagnostics::notices_text(notices, limit).trim_end());
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
    warn(&failure.to_string());
}

fn serve_site(options: ServeOptions) -> ExitCode {
    match serve::run(&options) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            warn(&e.to_string());
            ExitCode::from(2)
        }
    }
}

fn new_project(root: &std::path::Path, slug: &str, from: Option<&str>) -> ExitCode {
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
            warn(&e.to_string());
            ExitCode::from(e.exit_code())
        }
    }
}
