//! `facelic`: the command the vendor's license desk runs.
//!
//! Thin glue: argument parsing, output and exit codes live in `cli`; the
//! work is done by the `facelic-issuer` and `facelic-verifier` libraries.

mod cli;

fn main() -> std::process::ExitCode {
    no_core_dumps();
    cli::main()
}

/// The desk holds private keys in memory while it signs: a crash must not
/// write them to a core file, and other processes of the same user must
/// not read them through ptrace. Best effort: where the system refuses,
/// facelic runs on (the keys are no worse off than before).
fn no_core_dumps() {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{
            DumpableBehavior, Resource, Rlimit, set_dumpable_behavior, setrlimit,
        };
        let _ = setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
        let _ = set_dumpable_behavior(DumpableBehavior::NotDumpable);
    }
}
