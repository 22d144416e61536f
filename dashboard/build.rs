//! `include_dir!` cannot tell cargo which files it read: rebuild when the built app changes.
fn main() {
    println!("cargo:rerun-if-changed=web/dist");
}
