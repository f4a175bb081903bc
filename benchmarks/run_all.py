"""Run every benchmark in this folder (``bench_*.py``) one after the other.

Usage: ``python benchmarks/run_all.py [--quick]``; each benchmark rewrites its own section of
``BENCHMARKS.md``. ``--quick`` is passed on to benchmarks that accept it (smaller sizes).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    status = 0
    for script in sorted(HERE.glob("bench_*.py")):
        print(f"== {script.name}", flush=True)
        status |= subprocess.call([sys.executable, str(script), *argv])
    return status


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
