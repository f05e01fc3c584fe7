//! criterion benches for the engine: one comment, a whole seed thread, building from the
//! bundled rules, and building from 100,000 generated terms. Run with `cargo bench --bench engine`.

#[path = "common.rs"]
mod common;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use threadlint::engine::Engine;

fn material() -> (Vec<threadlint::rules::RuleSet>, common::Material) {
    let sets = common::bundled_sets();
    let matcher = common::WordMatcher::new(&common::literal_terms(&sets));
    let m = common::Material::load(&common::repo_root(), &sets, &matcher)
        .expect("seed material under seeds/");
    (sets, m)
}

fn bench_check(c: &mut Criterion) {
    let (sets, m) = material();
    let engine = Engine::new(sets).expect("bundled rules compile");
    let mut group = c.benchmark_group("check");

    let body = common::comment_of_len(&m, 500, 7);
    let one = common::single_comment_thread(&body);
    group.throughput(Throughput::Bytes(body.len() as u64));
    group.bench_function("comment-500b", |b| {
        b.iter(|| engine.check_thread(black_box(&one)))
    });

    let mut flagged = String::new();
    if let Some(f) = m.flagged.first() {
        flagged = common::comment_of_len(&m, 500usize.saturating_sub(f.len() + 1), 11);
        flagged.push(' ');
        flagged.push_str(f);
    }
    let one_flagged = common::single_comment_thread(&flagged);
    group.throughput(Throughput::Bytes(flagged.len() as u64));
    group.bench_function("comment-500b-flagged", |b| {
        b.iter(|| engine.check_thread(black_box(&one_flagged)))
    });

    let page = std::fs::read_to_string(common::repo_root().join("seeds/000_64a4ceb365bee314.txt"))
        .expect("seed page");
    let thread = threadlint::segment::segment("seed-000", page);
    group.throughput(Throughput::Bytes(thread.source.len() as u64));
    group.bench_function("thread-seed-000", |b| {
        b.iter(|| engine.check_thread(black_box(&thread)))
    });
    group.finish();
}

fn bench_build(c: &mut Criterion) {
    let mut group = c.benchmark_group("build");
    let sets = common::bundled_sets();
    group.bench_function("bundled", |b| {
        b.iter_batched(|| sets.clone(), Engine::new, BatchSize::SmallInput)
    });
    group.bench_function("bundled-load+build", |b| {
        b.iter(|| Engine::new(common::bundled_sets()))
    });
    let generated = common::generated_set(100_000, 42);
    group.sample_size(10);
    group.bench_function("generated-100k-terms", |b| {
        b.iter_batched(
            || vec![generated.clone()],
            Engine::new,
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

criterion_group!(benches, bench_check, bench_build);
criterion_main!(benches);
