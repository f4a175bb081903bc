"""Run every benchmark in this folder (``bench_*.py``) one after the other.

Usage: ``python benchmarks/run_all.py`` (bench_composite, bench_matcher, bench_patents,
bench_rankings, and bench_scale's three parts at 1M, 10M and 100M rows in one run: about 1.5
hours of the scale benchmark on 2 cores); each benchmark rewrites its own section of
``BENCHMARKS.md``. Run a benchmark alone for its options, e.g.
``python benchmarks/bench_rankings.py --sizes 1M,10M``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
# scripts that need a command: the scale benchmark's whole run (1B rows only with --huge, by hand)
ARGUMENTS = {"bench_scale.py": ["all", "--sizes", "1M,10M,100M"]}


def main(argv: list[str]) -> int:
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        status |= subprocess.call([sys.executable, str(script), *ARGUMENTS.get(script.name, [])])
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
