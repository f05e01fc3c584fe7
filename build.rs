//! Embeds every `rules/*.yaml` into the binary, so the bundled rule sets work from any
//! directory. Writes `$OUT_DIR/bundled_rules.rs`: a sorted list of `(file name, contents)`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=rules");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    let mut out = String::from("/// Bundled rule files: (file name, contents), sorted by name.\npub static BUNDLED: &[(&str, &str)] = &[\n");
    for path in &files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        writeln!(
            out,
            "    ({:?}, include_str!({:?})),",
            name,
            path.display().to_string()
        )
        .ok();
    }
    out.push_str("];\n");
    let target =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("bundled_rules.rs");
    std::fs::write(target, out).expect("write bundled_rules.rs");
}
