//! mostrod: the Mostro daemon.

fn main() {
    eprintln!("mostrod is not functional yet");
    std::process::exit(1);
}
