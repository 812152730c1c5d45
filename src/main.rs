//! The `convo` binary: parse the command line, start logging, hand over to the subcommand.

use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = convo::cli::Cli::parse();
    convo::telemetry::init(cli.log_format);
    match cli.run().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            // One clear line for the operator; the chain explains the cause.
            eprintln!("convo: {err:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
