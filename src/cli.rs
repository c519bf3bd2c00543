//! The command line in Japanese: clap's help frame (使い方・コマンド・オプション, the help and version
//! flags, the `help` command) and its errors, which clap writes in English.
//!
//! `main.rs` declares the commands; [`localize`] rewrites the frame of the resulting
//! [`clap::Command`] and [`error_text`] says a parse error in Japanese from its kind and context.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// The frame of every help page. `{usage}` is each command's `override_usage`.
const TEMPLATE: &str = "{about-with-newline}\n使い方: {usage}\n\n{all-args}{after-help}";

const OPTIONS: &str = "オプション";
const ARGUMENTS: &str = "引数";
const COMMANDS: &str = "コマンド";

/// `command` and all its subcommands with a Japanese help frame. Default and possible values are
/// not appended in English: each argument's help says them.
pub fn localize(command: Command) -> Command {
    localize_one(command).disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version)
            .help("バージョンを表示します")
            .help_heading(OPTIONS),
    )
}

fn localize_one(command: Command) -> Command {
    let mut command = command
        .help_template(TEMPLATE)
        .subcommand_help_heading(COMMANDS)
        .subcommand_value_name(COMMANDS)
        .disable_help_flag(true)
        .mut_args(|arg| {
            let heading = if arg.is_positional() {
                ARGUMENTS
            } else {
                OPTIONS
            };
            let arg = arg.help_heading(heading);
            if arg.get_action().takes_values() {
                arg.hide_default_value(true).hide_possible_values(true)
            } else {
                arg
            }
        })
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .global(false)
                .help("この使い方を表示します")
                .help_heading(OPTIONS),
        );
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    for name in names {
        command = command.mut_subcommand(name, localize_one);
    }
    command
}

/// A parse error in Japanese: what is wrong, a suggestion when clap has one, the usage of the
/// command concerned and where to read more. Help and version requests are not errors and are
/// printed by clap itself (see [`is_help_or_version`]).
pub fn error_text(error: &clap::Error) -> String {
    let arg = context(error, ContextKind::InvalidArg);
    let value = context(error, ContextKind::InvalidValue);
    let mut text = match error.kind() {
        ErrorKind::UnknownArgument => {
            format!("「{}」というオプションはありません。", or_blank(arg))
        }
        ErrorKind::InvalidSubcommand => format!(
            "「{}」というコマンドはありません。",
            context(error, ContextKind::InvalidSubcommand).unwrap_or_default()
        ),
        ErrorKind::InvalidValue => {
            let mut text = format!("{} に「{}」は使えません。", or_blank(arg), or_blank(value));
            if let Some(valid) = context(error, ContextKind::ValidValue) {
                text.push_str(&format!("使えるのは {valid} です。"));
            }
            text
        }
        ErrorKind::ValueValidation => format!(
            "{} の値「{}」が読めません。",
            or_blank(arg),
            or_blank(value)
        ),
        ErrorKind::MissingRequiredArgument => {
            format!("{} を指定してください。", or_blank(arg))
        }
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            "コマンドを指定してください。".to_string()
        }
        ErrorKind::ArgumentConflict => format!(
            "{} と {} は一緒に使えません。",
            or_blank(arg),
            context(error, ContextKind::PriorArg).unwrap_or_default()
        ),
        ErrorKind::NoEquals => format!("{} の値は = の後ろに書きます。", or_blank(arg)),
        ErrorKind::TooManyValues | ErrorKind::WrongNumberOfValues | ErrorKind::TooFewValues => {
            format!("{} の値の数が違います。", or_blank(arg))
        }
        ErrorKind::InvalidUtf8 => {
            "コマンドラインに UTF-8 として読めない文字があります。".to_string()
        }
        _ => "コマンドラインを読めません。".to_string(),
    };
    if let Some(suggested) = context(error, ContextKind::SuggestedArg)
        .or_else(|| context(error, ContextKind::SuggestedSubcommand))
    {
        text.push_str(&format!("\n  もしかして: {suggested}"));
    }
    let usage = context(error, ContextKind::Usage)
        .map(|u| u.trim().trim_start_matches("Usage:").trim().to_string());
    if let Some(usage) = usage.filter(|u| !u.is_empty()) {
        text.push_str(&format!("\n\n使い方: {usage}"));
        let command: Vec<&str> = usage
            .split_whitespace()
            .take_while(|word| !word.starts_with(['[', '<']))
            .collect();
        text.push_str(&format!(
            "\n詳しくは {} --help で表示されます。",
            command.join(" ")
        ));
    }
    text
}

/// Whether clap "failed" only to show the help or the version (printed as clap formats them).
pub fn is_help_or_version(error: &clap::Error) -> bool {
    matches!(
        error.kind(),
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
    )
}

fn or_blank(text: Option<String>) -> String {
    text.unwrap_or_default()
}

/// A piece of an error's context as plain text (several values joined with 「、」).
fn context(error: &clap::Error, kind: ContextKind) -> Option<String> {
    match error.get(kind)? {
        ContextValue::String(text) => Some(text.clone()),
        ContextValue::Strings(texts) if !texts.is_empty() => Some(texts.join("、")),
        ContextValue::StyledStr(text) => Some(text.to_string()),
        ContextValue::StyledStrs(texts) if !texts.is_empty() => Some(
            texts
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        _ => None,
    }
}
