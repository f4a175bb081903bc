"""Benchmark of the composite index engine; writes the ``## Composite index`` section of BENCHMARKS.md.

Run with ``.venv/bin/python benchmarks/bench_composite.py`` (about a minute). Measures

1. a build of the ASEM example (``examples/asem/asem.toml``, COINr's example index);
2. 1,000 sensitivity replications of ``examples/asem/asem_sensitivity.toml`` (weights
   noise 25 % at levels 2 and 3, arithmetic vs geometric aggregation; N = 200 base
   samples x (3 factors + 2)), the whole analysis: design, replications, ranks, Sobol';
3. same-run baselines on the same design: a naive loop calling the full ``build`` per
   replication, and a loop calling ``rebuild`` (only the aggregation re-runs).

COINr's figure (0.09 s per replication: 400 replications in 36 s) comes from the
issue; R is not installable on this machine, so COINr itself is not re-timed here.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from innometrics.composite import pipeline  # noqa: E402
from innometrics.composite import sensitivity as S  # noqa: E402
from innometrics.io.writers import write_text  # noqa: E402

COINR_SECONDS_PER_REP = 0.09
BUILD_SPEC = ROOT / "examples" / "asem" / "asem.toml"
SA_SPEC = ROOT / "examples" / "asem" / "asem_sensitivity.toml"
HEADING = "## Composite index"


def _best_of(func, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        func()
        times.append(time.perf_counter() - t)
    return statistics.median(times), times


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def main() -> None:
    # 1. the ASEM build (spec reading and validation included)
    pipeline.build(BUILD_SPEC)  # warm-up: imports and file cache
    build_s, build_all = _best_of(lambda: pipeline.build(BUILD_SPEC), 5)

    # 2. 1,000 sensitivity replications
    spec = pipeline.load_spec(SA_SPEC)
    sens = S.parse_sensitivity(spec.sensitivity, file=SA_SPEC)
    nominal = pipeline.build(spec)
    S.analyse(nominal, sens)  # warm-up
    results = []
    sa_s, sa_all = _best_of(lambda: results.append(S.analyse(nominal, sens)), 5)
    res = results[-1]
    n_runs = int(res.timings["n_runs"])
    per_rep = sa_s / n_runs
    with_nominal = (sa_s + build_s) / n_runs

    # 3. baselines on the first replications of the same design
    design = S.make_design(sens, nominal.meta)
    X = res.sample
    k = 40
    raw = spec.to_dict()

    def naive():
        for r in range(k):
            changes = S.replication_changes(nominal, sens, design, X[r])
            d = {key: (dict(v) if isinstance(v, dict) else v) for key, v in raw.items()}
            for step, settings in changes.items():
                d[step] = {**d.get(step, {}), **settings}
            pipeline.build(d)

    def rebuild_loop():
        for r in range(k):
            S.full_replication(nominal, sens, design, X[r], res.target)

    naive_s, _ = _best_of(naive, 1)
    rebuild_s, _ = _best_of(rebuild_loop, 1)
    naive_rep, rebuild_rep = naive_s / k, rebuild_s / k

    # the fast path equals the full rebuild on these runs
    fast = res.scores[:k]
    max_diff = max(
        float(np.nanmax(np.abs(fast[r] - S.full_replication(nominal, sens, design, X[r], res.target)
                               .reindex(nominal.stages["aggregated"].index).to_numpy())))
        for r in range(0, k, 4)
    )

    lines = [
        HEADING,
        "",
        "`.venv/bin/python benchmarks/bench_composite.py` (median of 5 runs after a warm-up; "
        f"{_cpu()}, {os.cpu_count()} cores shared with other jobs, Python {platform.python_version()}, "
        f"numpy {np.__version__}).",
        "",
        "| What | Time | Per replication | vs COINr (0.09 s/rep) |",
        "| --- | --- | --- | --- |",
        f"| ASEM example build (`examples/asem/asem.toml`: read, denominate, impute, screen, treat, normalise, aggregate) | {build_s * 1000:.1f} ms (runs: {min(build_all) * 1000:.0f}-{max(build_all) * 1000:.0f} ms) | | |",
        f"| Sensitivity, {n_runs:,} replications (`asem_sensitivity.toml`: weights +-25 % at levels 2-3, arithmetic vs geometric; N = {sens.runs}, Saltelli design, ranks, Sobol' with {sens.bootstrap} bootstrap resamples) | {sa_s:.3f} s (runs: {min(sa_all):.3f}-{max(sa_all):.3f} s) | {per_rep * 1000:.3f} ms | **{COINR_SECONDS_PER_REP / per_rep:,.0f}x** faster (slowest run: {COINR_SECONDS_PER_REP * n_runs / max(sa_all):,.0f}x) |",
        f"| same, including the nominal build | {sa_s + build_s:.3f} s | {with_nominal * 1000:.3f} ms | {COINR_SECONDS_PER_REP / with_nominal:,.0f}x faster |",
        f"| Baseline, same run: naive loop of full `build` per replication ({k} replications) | {naive_s:.2f} s | {naive_rep * 1000:.1f} ms | {COINR_SECONDS_PER_REP / naive_rep:,.1f}x |",
        f"| Baseline, same run: loop of `rebuild` (only aggregation re-runs, {k} replications) | {rebuild_s:.2f} s | {rebuild_rep * 1000:.1f} ms | {COINR_SECONDS_PER_REP / rebuild_rep:,.1f}x |",
        "",
        f"- Vectorised sensitivity vs the naive full-build loop: **{naive_rep / per_rep:,.0f}x** faster per replication; "
        f"vs the `rebuild` loop: {rebuild_rep / per_rep:,.0f}x.",
        f"- Where the time goes ({n_runs:,} replications): design {res.timings['design'] * 1000:.1f} ms, replications "
        f"{res.timings['evaluate'] * 1000:.1f} ms (two `rebuild`s, one per aggregation method, then all weight draws "
        f"at once as arrays runs x units x children), ranks and Sobol' {res.timings['analyse'] * 1000:.1f} ms.",
        f"- Fast path vs full `rebuild` on {len(range(0, k, 4))} of these replications: largest score difference {max_diff:.1e}.",
        "- The machine is shared with other jobs, so timings vary by up to several times between runs; "
        "the table gives medians and the range.",
        "- COINr's figure (0.09 s per replication, 400 replications in 36 s, `get_sensitivity` on the same kind of "
        "design) is the one stated in issue 3; R is not installable on this machine, so COINr was not re-timed here.",
        "",
    ]
    section = "\n".join(lines)
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    write_text(_replace_section(text, section), path)
    print(section)


def _replace_section(text: str, section: str) -> str:
    """Put ``section`` in place of the existing ``## Composite index`` section (or append it)."""
    lines = text.splitlines(keepends=True)
    start = next((i for i, line in enumerate(lines) if line.strip() == HEADING), None)
    if start is None:
        return text.rstrip("\n") + "\n\n" + section
    end = next((j for j in range(start + 1, len(lines)) if lines[j].startswith("## ")), len(lines))
    tail = "".join(lines[end:])
    return "".join(lines[:start]) + section + ("\n" + tail if tail else "")


if __name__ == "__main__":
    main()
