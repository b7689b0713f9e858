//! Runs the checker CLI on its own: `cargo run -p gongkai-checker --example check -- FILE...`.
use clap::Parser;

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    args: gongkai_checker::cli::CheckArgs,
}

fn main() {
    let cli = Cli::parse();
    std::process::exit(gongkai_checker::cli::run(&cli.args));
}
