//! `handover`: the command line over the store, the importers and the analysis.
#![forbid(unsafe_code)]

mod cli;
mod commands;
mod error;
mod fields;
mod output;

use clap::{CommandFactory, FromArgMatches};

// mimalloc: the git scan allocates and frees many small buffers across threads, where the
// system allocator costs a measured ~20% of its time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use handover_core::Kind;

fn main() {
    // `handover … | head` closes the pipe early; that is the reader's choice, not a crash.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<String>().map(String::as_str).unwrap_or("");
        if message.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    // Each record noun's help lists its fields, generated from one table.
    let mut command = cli::Cli::command();
    // (Plans, escrows and reviews have their own commands: `handover plan …`, `escrow …`, `review …`.)
    for kind in Kind::ALL.into_iter().filter(|k| !matches!(k, Kind::Plan | Kind::Escrow | Kind::Review | Kind::Incident)) {
        command = command.mut_subcommand(kind.as_str(), |c| c.after_long_help(fields::help(kind)).after_help(fields::help(kind)));
    }
    let matches = command.get_matches();
    let parsed = cli::Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    if let Err(err) = commands::run(parsed) {
        let (message, code) = error::report(&err);
        eprintln!("{message}");
        std::process::exit(code);
    }
}
