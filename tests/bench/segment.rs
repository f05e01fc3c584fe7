//! criterion benches for the segmenter: each seed page, and a generated 1 MB page with many
//! comments (to catch work that grows faster than the page). Run with `cargo bench --bench segment`.

#[path = "common.rs"]
mod common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use threadlint::segment::segment;

fn bench_segment(c: &mut Criterion) {
    let root = common::repo_root();
    let mut group = c.benchmark_group("segment");
    let mut seeds: Vec<_> = std::fs::read_dir(root.join("seeds"))
        .expect("seeds/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    seeds.sort();
    for path in seeds {
        let text = std::fs::read_to_string(&path).expect("seed page");
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(&name, |b| {
            b.iter_batched(
                || text.clone(),
                |t| segment(&name, t),
                BatchSize::SmallInput,
            )
        });
    }
    // One long page: the seeds concatenated until about 1 MB, so a quadratic step shows up.
    let mut long = String::new();
    let first =
        std::fs::read_to_string(root.join("seeds/000_64a4ceb365bee314.txt")).expect("seed page");
    while long.len() < 1_000_000 {
        long.push_str(&first);
        long.push_str("\n\n");
    }
    group.throughput(Throughput::Bytes(long.len() as u64));
    group.sample_size(10);
    group.bench_function("long-page-1mb", |b| {
        b.iter_batched(
            || long.clone(),
            |t| segment("long", t),
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_segment);
criterion_main!(benches);
