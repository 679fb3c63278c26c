//! drconsole binary.
fn main() {}
