//! The `convo` binary: parse the command line, start logging, hand over to the subcommand.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = convo::cli::Cli::parse();
    let telemetry = convo::telemetry::init(cli.log_format);
    let result = cli.run().await;
    // After a graceful shutdown: export the last spans (a blocking call, off the runtime).
    let _ = tokio::task::spawn_blocking(move || telemetry.shutdown()).await;
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // One clear line for the operator; the chain explains the cause.
            eprintln!("convo: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
