//! The command line: parses arguments and hands over to the pipeline.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use roadmap::pipeline::{self, BuildOptions, Failure};

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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Build {
            root,
            output,
            base_url,
        } => {
            let output = output.unwrap_or_else(|| root.join("output"));
            pipeline::build(&BuildOptions {
                root,
                output: output.clone(),
                base_url,
            })
            .map(|report| {
                println!(
                    "{} ページ（ほかに静的ファイル {} 個）を {} に書き出しました（事業 {} 件、事業費合計 {}、{:.2} 秒）。",
                    report.pages,
                    report.assets,
                    output.display(),
                    report.projects,
                    report.total.display(),
                    report.seconds
                );
            })
        }
        Command::Check { root } => pipeline::check(&root).map(|report| {
            println!("誤りはありません（事業 {} 件）。", report.projects);
        }),
    };
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
            eprintln!("{diagnostic}");
        }
    }
    eprintln!("{failure}");
}
