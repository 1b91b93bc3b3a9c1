//! mostro-cli: the command-line client.

fn main() {
    eprintln!("mostro-cli is not functional yet");
    std::process::exit(1);
}
