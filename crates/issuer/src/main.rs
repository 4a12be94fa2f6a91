//! `facelic`: the command the vendor's license desk runs.
//!
//! Thin glue: argument parsing, output and exit codes live in `cli`; the
//! work is done by the `facelic-issuer` and `facelic-verifier` libraries.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
