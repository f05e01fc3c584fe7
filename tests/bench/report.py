#!/usr/bin/env python3
"""Turns the measurements of tests/bench/run.sh into tables: printed, and written into
docs/benchmarks.md between `<!-- bench:begin -->` and `<!-- bench:end -->`.

Usage: report.py OUT_DIR DOC|"" MB STREAM_MB. Standard library only.
"""
import datetime
import json
import os
import platform
import re
import statistics
import subprocess
import sys

out, doc, mb, stream_mb = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]


def read(path):
    with open(os.path.join(out, path), encoding="utf-8") as f:
        return f.read()


def rounds(name):
    """The exports of `name` timed in rounds by run.sh (NAME.rROUND.json), in round order."""
    return sorted((f for f in os.listdir(os.path.join(out, "hf"))
                   if f.startswith(name + ".r") and f.endswith(".json")),
                  key=lambda f: int(f[len(name) + 2:-5]))


def results(name):
    """The hyperfine results of `name`: one per round, or its one export."""
    files = rounds(name) or [f"{name}.json"]
    return [json.loads(read(f"hf/{f}"))["results"][0] for f in files]


def hf(name):
    """(median, min, max, runs) of wall time in seconds."""
    times = [t for r in results(name) for t in r["times"]]
    return statistics.median(times), min(times), max(times), len(times)


def cpu(name):
    """Mean CPU time (user + system) in seconds: what the work cost, whatever else ran."""
    rs = results(name)
    return statistics.mean(r["user"] + r["system"] for r in rs)


def paired(name, reference):
    """(median, min, max) over rounds of wall time `reference` / `name`: how many times as fast
    as `reference` `name` ran within each round."""
    a = [r["times"][0] for r in results(name)]
    b = [r["times"][0] for r in results(reference)]
    ratios = [y / x for x, y in zip(a, b)]
    return statistics.median(ratios), min(ratios), max(ratios)


def span(p):
    return f"{p[0]:.2f}x ({p[1]:.2f}-{p[2]:.2f})"


def kv_lines(text):
    rows = {}
    for line in text.splitlines():
        parts = line.split()
        if parts:
            rows[parts[0]] = dict(p.split("=", 1) for p in parts[1:] if "=" in p)
    return rows


def rss_mb(name):
    path = os.path.join(out, f"{name}.rss")
    if not os.path.exists(path):
        return None
    return int(read(f"{name}.rss").strip()) / 1024


def machine():
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = "unknown"
    with open("/proc/meminfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    load = os.getloadavg()
    return cpu, os.cpu_count(), mem, load


def git(*args):
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


meta_text = json.loads(read("pages.meta.json"))
meta_jsonl = json.loads(read("comments.jsonl.meta.json"))
compile_rows = kv_lines(read("compile.txt"))
latency_rows = kv_lines(read("latency.txt"))

base = {"text": hf("baseline-text"), "jsonl": hf("baseline-jsonl")}
meta = {"text": meta_text, "jsonl": meta_jsonl}

rows = []


def throughput_row(label, name, fmt, command):
    med, lo, hi, n = hf(name)
    c = cpu(name)
    m = meta[fmt]
    mbs = m["bytes"] / 1e6 / med
    cps = m["comments"] / med
    # Rounds pair each run with a baseline run; segment alone is timed on its own.
    ratio = (span(paired(name, f"baseline-{fmt}")) if name != f"baseline-{fmt}" and rounds(name)
             else f"{base[fmt][0] / med:.2f}x")
    cpu_ratio = cpu(f"baseline-{fmt}") / c
    rows.append((label, command, f"{med:.3f} s ({lo:.3f}-{hi:.3f}, n={n})", f"{mbs:.1f}",
                 f"{cps:,.0f}", ratio, f"{c:.3f} s", f"{m['bytes'] / 1e6 / c:.1f}",
                 f"{cpu_ratio:.2f}x"))
    return med


base_cmd = "examples/baseline"
throughput_row("baseline, page text", "baseline-text", "text", f"{base_cmd} pages/")
throughput_row("baseline, JSON Lines", "baseline-jsonl", "jsonl", f"{base_cmd} comments.jsonl")
throughput_row("check, page text, 1 thread", "check-text-j1", "text",
               "threadlint check --format jsonl --jobs 1 pages/")
throughput_row("check, page text, 2 threads", "check-text-j2", "text",
               "threadlint check --format jsonl --jobs 2 pages/")
throughput_row("check, JSON Lines, 1 thread", "check-jsonl-j1", "jsonl",
               "threadlint check --format jsonl --jobs 1 comments.jsonl")
throughput_row("check, JSON Lines, 2 threads", "check-jsonl-j2", "jsonl",
               "threadlint check --format jsonl --jobs 2 comments.jsonl")
throughput_row("segment alone, page text, 1 thread", "segment-text", "text",
               "threadlint segment --format json --jobs 1 pages/")

sv = hf("startup-version")
se = hf("startup-check-empty")
cb = compile_rows.get("bundled-load+build", {})
cbuild = compile_rows.get("bundled-build", {})
cdef = compile_rows.get("bundled-deferred", {})
cg = compile_rows.get("generated-build", {})
lc = latency_rows.get("clean", {})
lf = latency_rows.get("flagged", {})


def ms(t):
    return f"{t[0] * 1e3:.2f} ms ({t[1] * 1e3:.2f}-{t[2] * 1e3:.2f}, n={t[3]})"


def fl(d, k):
    return float(d.get(k, "nan"))


def verdict(ok):
    return "met" if ok else "**missed**"


cpu_model, ncpu, mem, load = machine()
# Medians of the ratios within each round.
p_text = paired("check-text-j1", "baseline-text")
p_jsonl = paired("check-jsonl-j1", "baseline-jsonl")
s_text = paired("check-text-j2", "check-text-j1")
s_jsonl = paired("check-jsonl-j2", "check-jsonl-j1")
ratio_text, ratio_jsonl = p_text[0], p_jsonl[0]
cpu_ratio_text = cpu("baseline-text") / cpu("check-text-j1")
cpu_ratio_jsonl = cpu("baseline-jsonl") / cpu("check-jsonl-j1")
speed_text, speed_jsonl = s_text[0], s_jsonl[0]
stream2 = rss_mb("rss-stream-j2")

lines = []
add = lines.append
add(f"Generated by `tests/bench/run.sh {mb} {stream_mb}` on "
    f"{datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}, "
    f"commit `{git('rev-parse', '--short', 'HEAD')}`.")
add("")
add(f"- Machine: {cpu_model}, {ncpu} cores, {mem} RAM, {platform.system()} {platform.release()}; "
    f"load average at the end {load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1/5/15 min).")
add(f"- Corpus: page text {meta_text['bytes'] / 1e6:.1f} MB in {meta_text['threads']:,} pages, "
    f"{meta_text['comments']:,} comments ({100 * meta_text['flagged_comments'] / max(meta_text['comments'], 1):.1f}% "
    f"carry a flagged sentence); JSON Lines {meta_jsonl['bytes'] / 1e6:.1f} MB, "
    f"{meta_jsonl['comments']:,} comments in {meta_jsonl['threads']:,} threads.")
bl = kv_lines("baseline " + read("baseline-jsonl.out")).get("baseline", {})
hit_share = 100 * int(bl.get("lines_hit", 0)) / max(meta_jsonl["comments"], 1)
add(f"- Baseline: {bl.get('patterns', '?')} literal terms of the bundled rules in one Aho-Corasick DFA; "
    f"it hits {hit_share:.1f}% of the JSON Lines comments ({bl.get('matches', '?')} matches).")
add("")
add("### Throughput (hyperfine, median of the timed runs, min-max in brackets)")
add("")
add("Wall time is what a user waits; CPU time (user + system, mean of the runs) is what the work")
add("costs and moves much less when other jobs share the cores. Ratios are to the baseline on the")
add("same input; both include process start-up and rule compilation. The commands were timed in")
add("rounds, each once per round: a wall-time ratio is the median of the ratios within each round")
add("(their range in brackets); the CPU ratio is that of the mean CPU times.")
add("")
add("| what | command | wall time | MB/s | comments/s | vs baseline | CPU time | MB per CPU-s | vs baseline (CPU) |")
add("| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
for r in rows:
    add(f"| {r[0]} | `{r[1]}` | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]} | {r[7]} | {r[8]} |")
add("")
add("### Start-up, compilation, latency, memory")
add("")
add("| figure | how | value |")
add("| --- | --- | --- |")
add(f"| process start, no rules | `threadlint --version` (hyperfine) | {ms(sv)} |")
add(f"| start-up + bundled rules, empty input | `threadlint check --format jsonl empty.txt` (hyperfine) | {ms(se)} |")
add(f"| load + compile bundled rules, in process | `examples/compile` | {fl(cb, 'median_ms'):.2f} ms "
    f"({fl(cb, 'min_ms'):.2f}-{fl(cb, 'max_ms'):.2f}, n={cb.get('runs', '?')}); compile alone "
    f"{fl(cbuild, 'median_ms'):.2f} ms; built on first use (each profile's automaton, regexes as "
    f"written), for texts that need them: {fl(cdef, 'median_ms'):.2f} ms |")
eng = compile_rows.get("engine", {})
add(f"| the bundled engine | `examples/compile` | {eng.get('profiles', '?')} normalisation profiles, "
    f"{eng.get('patterns', '?')} automaton patterns |")
add(f"| compile 100,000 generated terms | `examples/compile 100000 5` | {fl(cg, 'median_ms'):.0f} ms "
    f"({fl(cg, 'min_ms'):.0f}-{fl(cg, 'max_ms'):.0f}, n={cg.get('runs', '?')}) |")
add(f"| one {lc.get('bytes', '?')}-byte clean comment, in process | `examples/latency 100000 500` | "
    f"p50 {fl(lc, 'p50_us'):.1f} µs, p99 {fl(lc, 'p99_us'):.1f} µs, p99.9 {fl(lc, 'p999_us'):.1f} µs |")
add(f"| one {lf.get('bytes', '?')}-byte flagged comment, in process | same | "
    f"p50 {fl(lf, 'p50_us'):.1f} µs, p99 {fl(lf, 'p99_us'):.1f} µs, p99.9 {fl(lf, 'p999_us'):.1f} µs "
    f"({lf.get('findings', '?')} findings) |")
for name, label in [("rss-baseline-jsonl", f"baseline on {mb} MB JSON Lines"),
                    ("rss-check-text-j2", f"check on {mb} MB page text, 2 threads"),
                    ("rss-check-jsonl-j2", f"check on {mb} MB JSON Lines, 2 threads"),
                    ("rss-segment-text-j2", f"segment on {mb} MB page text, 2 threads"),
                    ("rss-stream-j2", f"check streaming {stream_mb} MB JSON Lines, 2 threads")]:
    v = rss_mb(name)
    if v is not None:
        add(f"| peak resident memory: {label} | `/usr/bin/time -v` | {v:.1f} MB |")
add("")
add("### Targets")
add("")
add("| target | figure | |")
add("| --- | --- | --- |")
add(f"| check, 1 thread, >= 0.5x baseline (aim 0.8x) | wall: page text {span(p_text)}, JSON Lines {span(p_jsonl)}; "
    f"CPU: page text {cpu_ratio_text:.2f}x, JSON Lines {cpu_ratio_jsonl:.2f}x | "
    f"{verdict(min(ratio_text, ratio_jsonl, cpu_ratio_text, cpu_ratio_jsonl) >= 0.5)} |")
add(f"| 2 threads >= 1.8x one thread | page text {span(s_text)}, JSON Lines {span(s_jsonl)} | "
    f"{verdict(min(speed_text, speed_jsonl) >= 1.8)} |")
add(f"| start-up + bundled rules <= 30 ms | {se[0] * 1e3:.1f} ms (whole process, empty input) | {verdict(se[0] <= 0.030)} |")
add(f"| bundled sets compile < 30 ms | {fl(cbuild, 'median_ms'):.2f} ms | {verdict(fl(cbuild, 'median_ms') < 30)} |")
add(f"| 100,000 terms compile < 2 s | {fl(cg, 'median_ms') / 1e3:.2f} s | {verdict(fl(cg, 'median_ms') < 2000)} |")
add(f"| p99 single comment (500 B) <= 100 µs | clean {fl(lc, 'p99_us'):.1f} µs, flagged {fl(lf, 'p99_us'):.1f} µs | "
    f"{verdict(max(fl(lc, 'p99_us'), fl(lf, 'p99_us')) <= 100)} |")
if stream2 is not None:
    add(f"| streaming {stream_mb} MB JSON Lines < 200 MB resident | {stream2:.1f} MB (2 threads) | "
        f"{verdict(stream2 < 200)} |")
else:
    add("| streaming 1 GB JSON Lines < 200 MB resident | not measured in this run (STREAM_MB=0) | |")
table = "\n".join(lines)
print(table)

if doc:
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    pattern = re.compile(re.escape(begin) + ".*?" + re.escape(end), re.S)
    if not pattern.search(text):
        sys.exit(f"report.py: {doc} has no {begin} ... {end} markers")
    text = pattern.sub(lambda _: f"{begin}\n{table}\n{end}", text)
    with open(doc, "w", encoding="utf-8") as f:
        f.write(text)
    print(f"report.py: wrote {doc}", file=sys.stderr)
