"""tools/mutation.py's watchdog for mutants' processes that hang without spending CPU (Linux /proc)."""

from __future__ import annotations

import importlib.util
import json
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


def test_a_listed_equivalent_whose_change_differs_now_is_stale(monkeypatch, tmp_path):
    tool = _tool()
    shown = {
        "m.x_f__mutmut_1": "--- a\n+++ b\n-    return df.sort_values(keys)\n+    return df.sort_values(keys, kind=None)\n",
        "m.x_f__mutmut_2": "--- a\n+++ b\n-    x = a * b\n+    x = a / b\n",
        "m.x_f__mutmut_4": "--- a\n+++ b\n+    e = pd.Series(False, index=s.index).unstack('T')\n",
        "m.x_f__mutmut_5": "--- a\n+++ b\n+    e = pd.Series(True, index=s.index).unstack('T')\n",
    }
    monkeypatch.setattr(tool, "mutmut", lambda work, *args, **kw: subprocess.CompletedProcess(
        args, 0, shown[args[1]], ""))
    listed = {"m.x_f__mutmut_1": "return df.sort_values(keys,  kind=None)",  # whitespace is ignored
              "m.x_f__mutmut_2": "return df.sort_values(keys, kind=None)",   # the row of an older version
              "m.x_f__mutmut_3": None,                                        # described in words
              "m.x_f__mutmut_4": "e = pd.Series(False, ...).unstack(...)",    # "..." elides code
              "m.x_f__mutmut_5": "e = pd.Series(False, ...)"}
    names = ["m.x_f__mutmut_1", "m.x_f__mutmut_2", "m.x_f__mutmut_3", "m.x_f__mutmut_4", "m.x_f__mutmut_5"]
    stale = tool.stale_equivalents(tmp_path, names, listed)
    assert list(stale) == ["m.x_f__mutmut_2", "m.x_f__mutmut_5"] and "x = a / b" in stale["m.x_f__mutmut_2"]


def test_the_change_cell_is_read_when_it_is_code_only(monkeypatch, tmp_path):
    tool = _tool()
    doc = tmp_path / "mutation.md"
    doc.write_text("| `innometrics.a.x_f__mutmut_1` | `y = a \\| b` | why |\n"
                   "| `innometrics.a.x_f__mutmut_2` | the same `merge` without `on` | why |\n", encoding="utf-8")
    monkeypatch.setattr(tool, "DOC", doc)
    assert tool.equivalent_changes() == {"innometrics.a.x_f__mutmut_1": "y = a | b", "innometrics.a.x_f__mutmut_2": None}


def test_direct_verdicts_of_two_runs_at_once_are_all_kept(tmp_path):
    # two processes add verdicts to one file at the same time: none may be lost
    path = tmp_path / "direct_verdicts.json"
    code = ("import sys; sys.path.insert(0, {tools!r}); import mutation as m; from pathlib import Path\n"
            "for i in range(40): m.save_direct_verdict(Path({path!r}), f'{{sys.argv[1]}}_{{i}}', 'killed')")
    script = code.format(tools=str(ROOT / "tools"), path=str(path))
    runs = [subprocess.Popen([sys.executable, "-c", script, who]) for who in ("a", "b")]
    assert [run.wait(timeout=120) for run in runs] == [0, 0]
    import json

    saved = json.loads(path.read_text(encoding="utf-8"))
    assert sorted(saved) == sorted(f"{who}_{i}" for who in "ab" for i in range(40))
    assert set(saved.values()) == {"killed"}


def test_direct_finishes_a_stopped_run_with_only_the_mutants_without_a_verdict(monkeypatch, tmp_path):
    tool = _tool()
    work = tmp_path / ".mutation" / "rankings.counting"
    work.mkdir(parents=True)
    (tmp_path / "t.py").write_text("")
    monkeypatch.setattr(tool, "WORK", tmp_path / ".mutation")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "stale_equivalents", lambda work, names, listed: {})
    mutmut_says = ("innometrics.m.x_f__mutmut_1: killed\ninnometrics.m.x_f__mutmut_2: not checked\n"
                   "innometrics.m.x_f__mutmut_3: segfault\ninnometrics.m.x_g__mutmut_1: not checked\n"
                   "innometrics.m.x_f__mutmut_4: survived\n")
    monkeypatch.setattr(tool, "mutmut", lambda work, *args, **kw: subprocess.CompletedProcess(args, 0, mutmut_says, ""))
    ran = []

    def fake_direct(work, names, tests, jobs=1):
        ran.extend(names)
        for name in names:
            tool.save_direct_verdict(work / tool.DIRECT, name, "killed" if name.endswith("_2") else "survived")

    monkeypatch.setattr(tool, "direct_verdicts", fake_direct)
    result = tool.run_module("rankings/counting.py", ["t.py"], 1, {"innometrics.m.x_f__mutmut_4"},
                             only=["innometrics.m.x_f__*"], direct=True)
    assert ran == ["innometrics.m.x_f__mutmut_2", "innometrics.m.x_f__mutmut_3"]  # x_g is not asked for
    assert (result["mutants"], result["killed"], result["equivalent"]) == (4, 2, 1)
    assert result["survived"] == ["innometrics.m.x_f__mutmut_3"]
    ran.clear()  # a second call finds every asked-for mutant with a verdict
    tool.run_module("rankings/counting.py", ["t.py"], 1, set(), only=["innometrics.m.x_f__*"], direct=True)
    assert ran == []


def test_a_direct_run_takes_the_tests_mutmut_recorded_for_the_function_fastest_first(tmp_path):
    tool = _tool()
    assert tool._tests_by_function(tool.mutmut_stats(tmp_path)) == {}  # nothing recorded: the module's tests
    (tmp_path / "mutants").mkdir()
    (tmp_path / "mutants" / "mutmut-stats.json").write_text(json.dumps({
        "tests_by_mangled_function_name": {"m.x_f": ["t.py::slow", "t.py::fast", "t.py::unknown"]},
        "duration_by_test": {"t.py::slow": 2.0, "t.py::fast": 0.1}}))
    assert tool._tests_by_function(tool.mutmut_stats(tmp_path)) == {"m.x_f": ["t.py::fast", "t.py::slow", "t.py::unknown"]}


def test_a_new_version_keeps_the_direct_verdicts_of_unchanged_functions(tmp_path):
    tool = _tool()
    old = "def f(x):\n    return x + 1\n\n\nclass C:\n    def m(self):\n        return 1\n\n\ndef g():\n    return 2\n"
    new = ("def f(x):\n    # a comment and new layout do not count\n    return (x +\n            1)\n\n\n"
           "class C:\n    def m(self):\n        return 2\n\n\ndef g():\n    return 2\n\n\ndef h():\n    pass\n")
    assert tool.changed_functions(old, new) == {"C.m", "h"}
    assert tool.changed_functions("", new) is None
    assert tool.mutant_function("innometrics.rankings.credits.x\u01c1PairTables\u01c1__init____mutmut_1") == "PairTables.__init__"
    assert tool.mutant_function("innometrics.rankings.credits.x__typed__mutmut_12") == "_typed"
    path = tmp_path / tool.DIRECT
    verdicts = {"p.x_f__mutmut_1": "killed", "p.x\u01c1C\u01c1m__mutmut_1": "survived", "p.x_g__mutmut_2": "killed"}
    path.write_text(json.dumps(verdicts))
    tool.keep_direct_verdicts(path, tool.changed_functions(old, new))
    assert json.loads(path.read_text()) == {"p.x_f__mutmut_1": "killed", "p.x_g__mutmut_2": "killed"}
    tool.keep_direct_verdicts(path, None)  # no earlier version to compare with: none kept
    assert not path.exists()


def _scratch_module(monkeypatch, tmp_path):
    """The tool with module ``m`` prepared in ``tmp_path`` (one empty test file, no listed equivalents)."""
    tool = _tool()
    work = tmp_path / ".mutation" / "m"
    (work / "mutants").mkdir(parents=True)
    (tmp_path / "t.py").write_text("")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "prepare", lambda module, tests: work)
    monkeypatch.setattr(tool, "stale_equivalents", lambda work, names, listed: {})
    return tool, work


def test_a_survivor_that_times_out_when_run_again_gets_its_verdict_in_a_fresh_process(monkeypatch, tmp_path):
    """mutmut's wall-clock deadline ends a re-run survivor asleep on an inherited lock as a
    "timeout"; that must not count as killed. A first-pass timeout is run again in a fresh
    process too, where not ending in time keeps it a timeout (an endless loop: killed)."""
    tool, work = _scratch_module(monkeypatch, tmp_path)
    state = {"innometrics.m.x_f__mutmut_1": "survived", "innometrics.m.x_f__mutmut_2": "timeout",
             "innometrics.m.x_f__mutmut_3": "survived"}
    runs = []

    def fake_mutmut(work, *args, **kw):
        if args[0] == "run":
            runs.append(list(args[3:]))
            if len(runs) == 2:  # the survivors run again: one hangs, one is killed by a new test
                state.update({"innometrics.m.x_f__mutmut_1": "timeout", "innometrics.m.x_f__mutmut_3": "killed"})
        out = "".join(f"{n}: {s}\n" for n, s in state.items()) if args[0] == "results" else ""
        return subprocess.CompletedProcess(args, 0, out, "")

    monkeypatch.setattr(tool, "mutmut", fake_mutmut)
    asked = []

    def fake_direct(work, names, tests, jobs=1, *, endless="hung"):
        asked.append((names, endless))
        verdict = "survived" if endless == "hung" else "timeout"  # the first-pass timeout is endless
        for name in names:
            tool.save_direct_verdict(work / tool.DIRECT, name, verdict)
        return dict.fromkeys(names, verdict)

    monkeypatch.setattr(tool, "direct_verdicts", fake_direct)
    result = tool.run_module("m.py", ["t.py"], 1, set())
    assert runs[1] == ["innometrics.m.x_f__mutmut_1", "innometrics.m.x_f__mutmut_3"]
    assert asked == [(["innometrics.m.x_f__mutmut_1"], "hung"), (["innometrics.m.x_f__mutmut_2"], "timeout")]
    assert (result["mutants"], result["killed"]) == (3, 2)
    assert result["survived"] == ["innometrics.m.x_f__mutmut_1"]


def test_a_first_pass_timeout_that_ends_on_its_own_is_not_killed(monkeypatch, tmp_path):
    """Under load mutmut's deadline ends slow or sleeping mutants too: a first-pass timeout whose
    tests pass in a fresh process is a survivor, one whose tests fail is killed."""
    tool, work = _scratch_module(monkeypatch, tmp_path)
    state = {"innometrics.m.x_f__mutmut_1": "timeout", "innometrics.m.x_f__mutmut_2": "timeout",
             "innometrics.m.x_f__mutmut_3": "killed"}

    def fake_mutmut(work, *args, **kw):
        out = "".join(f"{n}: {s}\n" for n, s in state.items()) if args[0] == "results" else ""
        return subprocess.CompletedProcess(args, 0, out, "")

    monkeypatch.setattr(tool, "mutmut", fake_mutmut)
    fresh = {"innometrics.m.x_f__mutmut_1": "survived", "innometrics.m.x_f__mutmut_2": "killed"}

    def fake_direct(work, names, tests, jobs=1, *, endless="hung"):
        assert endless == "timeout"
        for name in names:
            tool.save_direct_verdict(work / tool.DIRECT, name, fresh[name])
        return {n: fresh[n] for n in names}

    monkeypatch.setattr(tool, "direct_verdicts", fake_direct)
    result = tool.run_module("m.py", ["t.py"], 1, set())
    assert (result["mutants"], result["killed"]) == (3, 2)
    assert result["survived"] == ["innometrics.m.x_f__mutmut_1"]


def test_a_recheck_gets_twenty_times_its_tests_recorded_duration_plus_start_up(tmp_path):
    tool = _tool()
    (tmp_path / "mutants").mkdir()
    assert tool.recheck_seconds(tool.mutmut_stats(tmp_path), "innometrics.m.x_f__mutmut_1") == tool.DIRECT_TIMEOUT  # nothing recorded
    (tmp_path / "mutants" / "mutmut-stats.json").write_text(json.dumps({
        "tests_by_mangled_function_name": {"innometrics.m.x_f": ["t::a", "t::b"], "innometrics.m.x_g": ["t::c"]},
        "duration_by_test": {"t::a": 0.5, "t::b": 2.0}}))
    stats = tool.mutmut_stats(tmp_path)
    assert tool.recheck_seconds(stats, "innometrics.m.x_f__mutmut_7") == tool.RECHECK_STARTUP + 20 * 2.5
    assert tool.recheck_seconds(stats, "innometrics.m.x_g__mutmut_1") == tool.DIRECT_TIMEOUT  # duration missing
    assert tool.recheck_seconds(stats, "innometrics.m.x_h__mutmut_1") == tool.DIRECT_TIMEOUT  # no tests


def test_a_survivor_that_hangs_again_is_judged_afresh_not_by_its_earlier_direct_verdict(monkeypatch, tmp_path):
    """A mutant that hung (mutmut: "segfault") and survived in a fresh process, then run again
    after tests were added, hangs again: its new direct verdict counts, not the recorded one.
    A hung mutant with a verdict that was not run again keeps it."""
    tool, work = _scratch_module(monkeypatch, tmp_path)
    for name, verdict in (("innometrics.m.x_f__mutmut_1", "survived"), ("innometrics.m.x_f__mutmut_2", "killed")):
        tool.save_direct_verdict(work / tool.DIRECT, name, verdict)
    state = {"innometrics.m.x_f__mutmut_1": "segfault", "innometrics.m.x_f__mutmut_2": "segfault"}

    def fake_mutmut(work, *args, **kw):
        out = "".join(f"{n}: {s}\n" for n, s in state.items()) if args[0] == "results" else ""
        return subprocess.CompletedProcess(args, 0, out, "")

    monkeypatch.setattr(tool, "mutmut", fake_mutmut)
    asked = []

    def fake_direct(work, names, tests, jobs=1, *, endless="hung"):
        asked.extend(names)
        for name in names:
            tool.save_direct_verdict(work / tool.DIRECT, name, "killed")  # the new test kills it
        return dict.fromkeys(names, "killed")

    monkeypatch.setattr(tool, "direct_verdicts", fake_direct)
    result = tool.run_module("m.py", ["t.py"], 1, set())
    assert asked == ["innometrics.m.x_f__mutmut_1"]
    assert (result["mutants"], result["killed"], result["survived"]) == (2, 2, [])


def test_a_mutant_hung_in_its_own_process_is_run_again_only_when_named(monkeypatch, tmp_path):
    tool = _tool()
    work = tmp_path / ".mutation" / "rankings.credits"
    work.mkdir(parents=True)
    (tmp_path / "t.py").write_text("")
    monkeypatch.setattr(tool, "WORK", tmp_path / ".mutation")
    monkeypatch.setattr(tool, "ROOT", tmp_path)
    monkeypatch.setattr(tool, "stale_equivalents", lambda work, names, listed: {})
    mutmut_says = "innometrics.m.x_f__mutmut_1: segfault\ninnometrics.m.x_f__mutmut_2: segfault\n"
    monkeypatch.setattr(tool, "mutmut", lambda work, *args, **kw: subprocess.CompletedProcess(args, 0, mutmut_says, ""))
    tool.save_direct_verdict(work / tool.DIRECT, "innometrics.m.x_f__mutmut_1", "hung")
    ran = []

    def fake_direct(work, names, tests, jobs=1):
        ran.extend(names)
        for name in names:
            tool.save_direct_verdict(work / tool.DIRECT, name, "killed")

    monkeypatch.setattr(tool, "direct_verdicts", fake_direct)
    tool.run_module("rankings/credits.py", ["t.py"], 1, set(), direct=True)
    assert ran == ["innometrics.m.x_f__mutmut_2"]  # _1 hung in a fresh process before: not again by itself
    ran.clear()
    result = tool.run_module("rankings/credits.py", ["t.py"], 1, set(), only=["innometrics.m.x_f__mutmut_1"],
                             direct=True)
    assert ran == ["innometrics.m.x_f__mutmut_1"] and result["killed"] == 1 and result["survived"] == []


def test_a_mutants_own_process_fails_on_memory_instead_of_growing_without_end(monkeypatch):
    tool = _tool()
    # a cross join's memory use, in small: 2 GB asked for under a 1 GB cap fails in the process
    monkeypatch.setattr(tool, "DIRECT_MEMORY", 1024**3)
    run = subprocess.run([sys.executable, "-c", "b = bytearray(2 * 1024**3)"], capture_output=True, text=True,
                         preexec_fn=tool.direct_child, timeout=60)
    assert run.returncode == 1 and "MemoryError" in run.stderr
    # ... while a process that stays within the cap runs as usual
    run = subprocess.run([sys.executable, "-c", "b = bytearray(10 * 1024**2)"], capture_output=True, text=True,
                         preexec_fn=tool.direct_child, timeout=60)
    assert run.returncode == 0, run.stderr
