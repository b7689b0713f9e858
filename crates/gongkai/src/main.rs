use std::process::ExitCode;

fn main() -> ExitCode {
    gongkai::cli::main()
}
