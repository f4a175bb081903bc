"""tools/mutation.py's watchdog for mutants' processes that hang without spending CPU (Linux /proc)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

def _tool():
    spec = importlib.util.spec_from_file_location("mutation_tool", ROOT / "tools" / "mutation.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation_tool"] = module
    spec.loader.exec_module(module)
    return module


def test_a_sleeping_mutant_is_killed_and_named_others_are_left(monkeypatch):
    tool = _tool()
    monkeypatch.setattr(tool, "HANG_SECONDS", 0.5)
    script = ('(exec -a "mutmut: innometrics.rankings.counting.x_f__mutmut_1" sleep 60) & '
              '(exec -a "some other sleeper" sleep 60) & wait')
    session = subprocess.Popen(["bash", "-c", script], start_new_session=True)
    try:
        time.sleep(0.5)
        idle: dict = {}
        assert tool._kill_hung(session.pid, idle) == []  # first seen: not yet idle for long
        time.sleep(0.7)
        killed = tool._kill_hung(session.pid, idle)
        assert [name for _, name in killed] == ["innometrics.rankings.counting.x_f__mutmut_1"]
        time.sleep(0.7)
        assert tool._kill_hung(session.pid, idle) == []  # the other sleeper is not a mutant
    finally:
        subprocess.run(["pkill", "-s", str(session.pid)], check=False)
        session.wait(timeout=10)
