//! `callqa serve --out DIR [--bind ADDR] [--token T]`: the analysts' web app over an output
//! folder (see the `callqa-serve` crate). Read-only; loopback by default; any other address needs
//! a token that every request then carries.

use anyhow::Context;
use callqa_serve::{ServeOptions, Server};
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Output directory of `callqa score`.
    #[arg(long)]
    pub out: PathBuf,
    /// Address and port to listen on (port 0: any free port). Anything but a loopback address
    /// requires --token.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub bind: SocketAddr,
    /// Token every request must carry (Authorization: Bearer T, or ?token=T once: a cookie keeps
    /// it for the session).
    #[arg(long)]
    pub token: Option<String>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let server = Server::bind(&ServeOptions {
        out: args.out.clone(),
        bind: args.bind,
        token: args.token.clone(),
    })
    .with_context(|| format!("cannot serve {}", args.out.display()))?;
    let index = server.index();
    let query = if args.token.is_some() {
        "?token=…"
    } else {
        ""
    };
    println!(
        "callqa serve: http://{}/{query} ({} calls from {}, loaded in {} ms; Ctrl-C stops)",
        server.local_addr(),
        index.calls().len(),
        args.out.display(),
        index.load_time.as_millis()
    );
    std::io::stdout().flush().ok();
    server.run()?;
    Ok(ExitCode::SUCCESS)
}
