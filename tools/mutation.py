"""Mutation testing of the core formulas, one module at a time (``make mutation``).

Each module in :data:`MODULES` is mutated by mutmut (https://github.com/boxed/mutmut) in its
own scratch copy of the project under ``.mutation/<module>/``, and its mutants run only the
tests listed next to it, so a module takes minutes, not the whole suite per mutant. mutmut
itself narrows further: it records which tests call each function and runs only those for
that function's mutants.

A surviving mutant fails the run unless docs/mutation.md lists it as equivalent (a table
row whose first cell is the mutant name in backticks, e.g. ``innometrics.panel.trends.x_slope__mutmut_3``)
with the reason it cannot change any result.

Usage::

    python tools/mutation.py                 # every module, cheapest first
    python tools/mutation.py panel/trends.py # just these (paths under src/innometrics)
    python tools/mutation.py --jobs 2        # mutmut --max-children (default 1: shared machines)
    python tools/mutation.py --report --show # last results, with the change each survivor makes
    python tools/mutation.py --direct rankings/credits.py  # finish a stopped run: each mutant
                                             # still without a verdict, in a fresh process

Writes ``.mutation/summary.json`` (per module: mutants, killed, survived, equivalent, score)
and prints a table; exits 1 when a non-equivalent mutant survives.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import json
import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / ".mutation"
DOC = ROOT / "docs" / "mutation.md"

#: Module under src/innometrics -> the tests that exercise it, cheapest module first.
MODULES: dict[str, list[str]] = {
    "panel/trends.py": ["tests/panel/test_trends.py", "tests/cli/test_trends_cli.py"],
    # find_clusters on a hand-made gazetteer here; the end-to-end WoS test
    # (tests/views/test_cities_clusters.py, ~45 s a run) is too slow per mutant
    "views/clusters.py": ["tests/views/test_clusters.py"],
    "rankings/stability.py": ["tests/rankings/test_stability.py"],
    # treat_column against the COINr translation column by column (test_treat_coinr_columns.py):
    # the check test_coinr_translation.py makes through whole builds, at ~2 min a mutant there
    "composite/treat.py": [
        "tests/composite/test_treat.py",
        "tests/composite/test_impute_treat.py",
        "tests/composite/test_treat_coinr_columns.py",
    ],
    # the methods and impute_panel_frame against the COINr translations directly (test_impute.py,
    # test_panel_impute_frame.py): the checks test_coinr_translation.py makes through builds
    "composite/impute.py": [
        "tests/composite/test_impute.py",
        "tests/composite/test_panel_impute_frame.py",
        "tests/composite/test_impute_treat.py",
        "tests/composite/test_panel_impute.py",
    ],
    "composite/normalise.py": [
        "tests/composite/test_normalise.py",
        "tests/composite/test_normalise_index.py",
        "tests/composite/test_normalise_toolbox.py",
        "tests/composite/test_method_contract.py",
        "tests/composite/test_coinr_translation.py",
        "tests/composite/test_coinr_method_audit.py",
    ],
    "composite/aggregate.py": [
        "tests/composite/test_aggregate.py",
        "tests/composite/test_aggregate_compind.py",
        "tests/composite/test_method_contract.py",
        "tests/composite/test_coinr_translation.py",
        "tests/composite/test_coinr_method_audit.py",
    ],
    "entities/countries.py": [
        "tests/entities/test_countries.py",
        "tests/entities/test_country_resolver.py",
        "tests/entities/test_addresses.py",
    ],
    # the view end to end on the bundled exports (tests/views/test_nature_index_pipeline.py,
    # ~40 s a run) is too slow per mutant: here the counts on a small hand-made record set
    "views/nature_index.py": ["tests/views/test_nature_index.py"],
    "rankings/credits.py": [
        "tests/rankings/test_credits.py",
        "tests/rankings/test_counting.py",
        "tests/rankings/test_independent_counts.py",
        "tests/rankings/test_unit_counts.py",
        "tests/rankings/test_unit_years.py",
        "tests/rankings/test_load_tables.py",
    ],
    "rankings/counting.py": [
        "tests/rankings/test_counting.py",
        "tests/rankings/test_counting_rules.py",
        "tests/rankings/test_independent_counts.py",
        "tests/rankings/test_unit_counts.py",
        "tests/rankings/test_unit_years.py",
    ],
}

#: Spark, browser and slow tests are excluded: a mutant is killed on the DuckDB path already,
#: and those tests take a JVM or Chromium per run.
PYTEST_ARGS = ["-x", "-q", "-p", "no:cacheprovider", "-m", "not spark and not browser and not slow"]

EQUIVALENT_ROW = re.compile(r"^\|\s*`(innometrics\.[\w.]+__mutmut_\d+)`\s*\|")


def equivalent_mutants() -> set[str]:
    """Mutant names that docs/mutation.md lists as equivalent (first cell of a table row)."""
    return set(equivalent_changes())


#: A row's second cell when it is code: the mutated line as mutmut shows it.
CHANGE_CELL = re.compile(r"^\|\s*`[^`]+`\s*\|\s*`([^`]*)`\s*\|")


def equivalent_changes() -> dict[str, str | None]:
    """Listed equivalent mutant -> the change its row gives as code (None when described in words)."""
    if not DOC.exists():
        return {}
    found = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := EQUIVALENT_ROW.match(line):
            code = CHANGE_CELL.match(line)
            found[m.group(1)] = code.group(1).replace("\\|", "|") if code else None
    return found


def _squeezed(text: str) -> str:
    return re.sub(r"\s+", "", text)


def stale_equivalents(work: Path, names: list[str], listed: dict[str, str | None]) -> dict[str, str]:
    """Listed survivors whose row gives another change than the mutant now makes.

    A mutant's name is its function and number: when the function changes, the same name
    can stand for another change, and the row listing it as equivalent no longer says why
    this one is. Each survivor's added lines (``mutmut show``) must contain the row's code
    (whitespace ignored, ``...`` standing for any code); rows that describe the change in
    words are not checked.
    """
    stale = {}
    for name in names:
        code = listed.get(name)
        if not code:
            continue
        shown = mutmut(work, "show", name).stdout.splitlines()
        added = " ".join(line[1:] for line in shown if line.startswith("+") and not line.startswith("+++"))
        if not _contains_in_order(_squeezed(added), _squeezed(code).split("...")):
            stale[name] = f"listed as equivalent for another change ({code!r}); now: {added.strip()!r}"
    return stale


def _contains_in_order(text: str, pieces: list[str]) -> bool:
    """Whether ``pieces`` occur in ``text`` in this order (a row's ``...`` elides code between them)."""
    at = 0
    for piece in pieces:
        found = text.find(piece, at)
        if found < 0:
            return False
        at = found + len(piece)
    return True


#: Decorators that only register a function or attach its parameter rules. mutmut 3 does not
#: mutate decorated functions (it cannot set up its trampoline around an arbitrary decorator),
#: which would leave every registered formula (normalise.minmax, aggregate.geometric, ...)
#: unmutated; the scratch copy applies these decorators as plain calls after the function.
REGISTERING_DECORATORS = {"register", "declare"}


def undecorate(source: str) -> str:
    """``source`` with ``@register(...)``/``@declare(...)`` of top-level functions turned into
    ``f = register(...)(declare(...)(f))`` after the function: the same module for the
    tests, but functions mutmut will mutate."""
    tree = ast.parse(source)
    lines = source.splitlines(keepends=True)
    for node in reversed(tree.body):
        decorators = getattr(node, "decorator_list", None) if isinstance(node, ast.FunctionDef) else None
        if not decorators or not all(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Name) and d.func.id in REGISTERING_DECORATORS
            for d in decorators
        ):
            continue
        applied = node.name
        for dec in reversed(decorators):
            applied = f"{ast.get_source_segment(source, dec)}({applied})"
        lines.insert(node.end_lineno, f"\n\n{node.name} = {applied}\n")
        first, last = decorators[0].lineno - 1, decorators[-1].end_lineno
        del lines[first:last]
    return "".join(lines)


def prepare(module: str, tests: list[str]) -> Path:
    """A scratch project for one module: current src/, tests/ and examples/ (some tests build
    the example specs), and a mutmut config."""
    work = WORK / module.replace("/", ".").removesuffix(".py")
    work.mkdir(parents=True, exist_ok=True)
    target = work / "src" / "innometrics" / module
    new_source = undecorate((ROOT / "src" / "innometrics" / module).read_text(encoding="utf-8"))
    old_source = target.read_text(encoding="utf-8") if target.exists() else ""
    keep_direct_verdicts(work / DIRECT, changed_functions(old_source, new_source))
    for name in ("src", "tests", "examples"):
        shutil.copytree(ROOT / name, work / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    target.write_text(new_source, encoding="utf-8")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    pytest_ini = project["tool"]["pytest"]["ini_options"]
    config = [
        "[tool.mutmut]",
        'source_paths = ["src"]',
        'also_copy = ["examples"]',
        f'only_mutate = ["src/innometrics/{module}"]',
        f"pytest_add_cli_args = {json.dumps(PYTEST_ARGS)}",
        f"pytest_add_cli_args_test_selection = {json.dumps(tests)}",
        "use_git_change_detection = false",
        "",
        "[tool.pytest.ini_options]",
        f"filterwarnings = {json.dumps(pytest_ini.get('filterwarnings', []))}",
        f"markers = {json.dumps(pytest_ini.get('markers', []))}",
        "",
    ]
    (work / "pyproject.toml").write_text("\n".join(config), encoding="utf-8")
    return work


def function_sources(source: str) -> dict[str, str]:
    """Each function of a module (``name``, or ``Class.name`` for a method) -> its code as
    Python reads it (:func:`ast.dump`: comments and layout do not count)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    found = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            found[node.name] = ast.dump(node)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found[f"{node.name}.{item.name}"] = ast.dump(item)
    return found


def changed_functions(old: str, new: str) -> set[str] | None:
    """Functions whose code differs between two versions of a module (``None``: no old one)."""
    if not old:
        return None
    before, after = function_sources(old), function_sources(new)
    return {name for name in before.keys() | after.keys() if before.get(name) != after.get(name)}


def mutant_function(name: str) -> str:
    """The function a mutmut mutant name belongs to, as :func:`function_sources` names it:
    ``pkg.mod.x_f__mutmut_3`` -> ``f``; ``pkg.mod.xǁCǁm__mutmut_1`` -> ``C.m``."""
    base = name.rsplit("__mutmut_", 1)[0].rsplit(".", 1)[-1]
    if base.startswith("x\u01c1"):
        return ".".join(base.split("\u01c1")[1:3])
    return base.removeprefix("x_")


def keep_direct_verdicts(path: Path, changed: set[str] | None) -> None:
    """Drop the verdicts of mutants of ``changed`` functions (all when ``None``) from ``path``.

    A mutant's name is its function and a number, so after a function changes the same
    name can be another mutation; the verdicts of unchanged functions stay valid (mutmut
    keeps its own the same way), and a run cut off and finished with ``--direct`` is
    not lost to a later ``--only`` run of another function.
    """
    if not path.exists():
        return
    if changed is None:
        path.unlink()
        return
    verdicts = json.loads(path.read_text(encoding="utf-8"))
    kept = {n: v for n, v in verdicts.items() if mutant_function(n) not in changed}
    if len(kept) != len(verdicts):
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(kept, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)


#: A mutant's process that used no CPU for this long is deadlocked (see :func:`mutmut`).
HANG_SECONDS = 60


def mutmut(work: Path, *args: str, hung: list[str] | None = None) -> subprocess.CompletedProcess:
    """Run mutmut in ``work``; mutants' processes that hang are killed and named in ``hung``.

    mutmut forks each mutant's process from its own, which by then holds DuckDB's worker
    threads and jemalloc's background thread from the tests it ran; now and then a forked
    child inherits a lock held by one of those threads and waits on it for ever (seen on
    ``rankings/counting.py``: two children asleep on a futex for 10 minutes). mutmut's
    timeout counts CPU seconds (SIGXCPU), which a sleeping process never spends, so such a
    child is killed here (SIGKILL: mutmut records "segfault"), named in ``hung``, and given
    its verdict by :func:`direct_verdicts`, not counted as killed.
    """
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(work / "src")
    cmd = ["nice", "-n", "15", sys.executable, "-m", "mutmut", *args]
    # mutmut runs in a session of its own whose autogroup is lowered (see lower_priority), so
    # the shell that started this tool keeps its own share of the cores
    proc = subprocess.Popen(cmd, cwd=work, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            start_new_session=True, preexec_fn=lower_priority)
    idle: dict[int, tuple[int, float]] = {}  # pid -> (CPU ticks, when they last changed)
    while True:
        try:
            out, err = proc.communicate(timeout=15)
            break
        except subprocess.TimeoutExpired:
            for pid, name in _kill_hung(proc.pid, idle):
                if hung is not None:
                    hung.append(name)
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _kill_hung(session: int, idle: dict[int, tuple[int, float]]) -> list[tuple[int, str]]:
    """Kill the mutants' processes of ``session`` that spent no CPU for :data:`HANG_SECONDS`."""
    now = time.monotonic()
    killed = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid = int(stat.parent.name)
            fields = stat.read_text().rsplit(")", 1)[1].split()
            name = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
        except (OSError, ValueError, IndexError):
            continue
        # fields after the command: state, ppid, pgrp, session, ..., utime (12th), stime (13th)
        if int(fields[3]) != session or pid == session or not name.startswith("mutmut: innometrics."):
            continue
        ticks = int(fields[11]) + int(fields[12])
        last = idle.get(pid)
        if last is None or last[0] != ticks or fields[0] not in ("S", "D"):
            idle[pid] = (ticks, now)
        elif now - last[1] >= HANG_SECONDS:
            try:
                os.kill(pid, 9)
            except OSError:
                continue
            killed.append((pid, name.split(": ", 1)[1].split()[0]))
            idle.pop(pid, None)
    return killed


def mutmut_statuses(work: Path) -> dict[str, str]:
    """Mutant name -> the status mutmut itself recorded ('killed', 'segfault', 'timeout', ...)."""
    done = mutmut(work, "results", "--all", "true")
    found = {}
    for line in done.stdout.splitlines():
        name, sep, status = line.strip().partition(": ")
        if sep and name.startswith("innometrics."):
            found[name] = status.strip()
    return found


def direct_record(work: Path) -> dict[str, str]:
    """The verdicts :func:`direct_verdicts` recorded in ``work`` (mutant name -> verdict)."""
    path = work / DIRECT
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def statuses(work: Path) -> dict[str, str]:
    """Mutant name -> status ('killed', 'survived', 'timeout', 'no tests', ...).

    A mutant mutmut recorded as "segfault" (its process killed by :func:`_kill_hung`), left
    unchecked when a run was stopped, or timed out (a survivor run again, or a first-pass
    timeout re-checked; see :func:`run_module`) takes its verdict from :func:`direct_verdicts`
    when it has one.
    """
    direct = direct_record(work)
    return {name: direct.get(name, status) if status in ("segfault", "not checked", "timeout") else status
            for name, status in mutmut_statuses(work).items()}


#: Verdicts of mutants run outside mutmut (see :func:`direct_verdicts`), in the module's scratch folder.
DIRECT = "direct_verdicts.json"
DIRECT_TIMEOUT = 1800
#: Address space a mutant's test process may take. A mutant that drops a join's key turns
#: the join into a cross join (500 records: 80 million rows), which without a cap grows until
#: the kernel's OOM killer ends the process (and may pick another): signal 9, no verdict. Under
#: the cap the allocation fails, the test fails with ``MemoryError``, and the mutant is killed;
#: the module's unmutated tests peak under 0.6 GB here.
DIRECT_MEMORY = 8 * 1024**3


def direct_verdicts(work: Path, names: list[str], tests: list[str], jobs: int = 1, *,
                    endless: str = "hung") -> dict[str, str]:
    """Run each mutant's tests in a fresh Python process (no fork), ``jobs`` at a time; record the verdicts.

    mutmut switches a mutant on with the environment variable ``MUTANT_UNDER_TEST`` in a
    process forked from its own; here the tests mutmut recorded for the mutant's function
    (:func:`_tests_by_function`; else all the module's) run in a new process with that
    variable set: exit 1 (a test failed) is "killed", 0 "survived", anything else (or
    no end within :data:`DIRECT_TIMEOUT` seconds) "hung". Why: a mutant that makes a test
    fail can hang in the fork (pytest's failure report of an Ibis table queries DuckDB,
    whose worker threads are not in the forked child), and it would otherwise count as
    neither killed nor surviving.

    ``endless="timeout"`` re-checks mutants mutmut ended by its deadline in the first pass:
    each gets :func:`recheck_seconds` (not :data:`DIRECT_TIMEOUT`), and a run that does not
    end by then is a genuine endless loop, recorded as "timeout" (which counts as killed).
    """
    from concurrent.futures import ThreadPoolExecutor

    path = work / DIRECT
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(work / "mutants" / "src")
    cmd = ["nice", "-n", "15", sys.executable, "-m", "pytest", *PYTEST_ARGS]

    stats = mutmut_stats(work)
    tests_of = _tests_by_function(stats)

    def verdict(name: str) -> str:
        # the tests mutmut would run for the mutant's function (fastest first), else all the module's
        chosen = tests_of.get(name.rsplit("__mutmut_", 1)[0]) or tests
        limit = DIRECT_TIMEOUT if endless == "hung" else recheck_seconds(stats, name)
        try:
            run = subprocess.run([*cmd, *chosen], cwd=work / "mutants", env={**env, "MUTANT_UNDER_TEST": name},
                                 capture_output=True, timeout=limit, preexec_fn=direct_child,
                                 start_new_session=True)
        except subprocess.TimeoutExpired:
            return endless
        return {1: "killed", 0: "survived", 5: "no tests"}.get(run.returncode, "hung")

    found = {}
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        for name, result in zip(names, pool.map(verdict, names)):
            found[name] = result
            save_direct_verdict(path, name, result)
    return found


#: A first-pass timeout re-checked in a fresh process (:func:`recheck_seconds`) gets this
#: many times its tests' recorded duration, plus the start-up allowance, before it counts as endless.
RECHECK_FACTOR = 20
RECHECK_STARTUP = 90


def mutmut_stats(work: Path) -> dict:
    """mutmut's record of the last stats pass (``mutants/mutmut-stats.json``): the tests that
    call each function and each test's duration; empty when there is none yet. Read once per
    :func:`direct_verdicts` call, not once per mutant."""
    path = work / "mutants" / "mutmut-stats.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def recheck_seconds(stats: dict, name: str) -> float:
    """How long a fresh-process re-check of mutant ``name`` may take before it counts as endless.

    ``RECHECK_STARTUP + RECHECK_FACTOR x`` the summed durations mutmut recorded (``stats``:
    :func:`mutmut_stats`) for the tests of the mutant's function (imports and collection are
    not in those durations); :data:`DIRECT_TIMEOUT` when mutmut recorded none.
    """
    tests = stats.get("tests_by_mangled_function_name", {}).get(name.rsplit("__mutmut_", 1)[0])
    duration = stats.get("duration_by_test", {})
    if not tests or any(t not in duration for t in tests):
        return DIRECT_TIMEOUT
    return RECHECK_STARTUP + RECHECK_FACTOR * sum(duration[t] for t in tests)


def _tests_by_function(stats: dict) -> dict[str, list[str]]:
    """mutmut's record (``stats``: :func:`mutmut_stats`) of the tests that call each function,
    fastest first.

    Empty when mutmut has not recorded it (then a mutant runs all its module's tests).
    """
    duration = stats.get("duration_by_test", {})
    return {function: sorted(tests, key=lambda t: (duration.get(t, float("inf")), t))
            for function, tests in stats.get("tests_by_mangled_function_name", {}).items()}


def save_direct_verdict(path: Path, name: str, result: str) -> None:
    """Add one verdict to ``path`` (JSON), re-read under a lock: another run may have added its own."""
    import fcntl

    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        verdicts = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        verdicts[name] = result
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(verdicts, indent=1, sort_keys=True), encoding="utf-8")
        tmp.replace(path)


def run_module(module: str, tests: list[str], jobs: int, equivalent: set[str], *, report_only: bool = False,
               only: list[str] | None = None, direct: bool = False) -> dict:
    """Run (or with ``report_only`` report) one module's mutants; ``only``: mutmut name globs to keep.

    ``direct``: run no mutmut; give each mutant of the last run that has no verdict yet (mutmut
    stopped before it, or it hung) one from :func:`direct_verdicts`. A run cut off (a session's
    time limit, a full disk) is finished this way, and again after an interruption: verdicts are
    saved one by one.
    """
    def kept(found: dict[str, str]) -> dict[str, str]:
        if not only:
            return found
        return {n: s for n, s in found.items() if any(fnmatch.fnmatch(n, pattern) for pattern in only)}

    missing = [t for t in tests if not (ROOT / t).exists()]
    if missing:
        raise SystemExit(f"mutation: tests for {module} not found: {missing}")
    started = time.monotonic()
    hung: list[str] = []
    if report_only or direct:
        work = WORK / module.replace("/", ".").removesuffix(".py")
        if not work.is_dir():
            raise SystemExit(f"mutation: no results for {module} yet ({work} is missing); run: make mutation MODULES={module}")
        if direct:
            # a mutant that hung in its own process too is run again only when asked for by name
            # (``--only``): it may take the whole DIRECT_TIMEOUT again
            again = ("not checked", "segfault", "hung") if only else ("not checked", "segfault")
            pending = sorted(n for n, s in kept(statuses(work)).items() if s in again)
            print(f"  {len(pending)} mutants without a verdict, each run in a process of its own", flush=True)
            direct_verdicts(work, pending, tests, jobs)
    else:
        work = prepare(module, tests)
        run = mutmut(work, "run", "--max-children", str(jobs), *(only or []), hung=hung)
        log = run.stdout + run.stderr
        # mutmut keeps a survivor's verdict from an earlier run even when tests were added
        # since: run the survivors (and mutants no test reached) again against the current tests
        again = sorted(n for n, s in kept(statuses(work)).items() if s in ("survived", "no tests"))
        if again:
            # a mutant had no test when the test -> function map was recorded before its
            # function could be mutated (or before the test existed): record the map again
            (work / "mutants" / "mutmut-stats.json").unlink(missing_ok=True)
            rerun = mutmut(work, "run", "--max-children", str(jobs), *again, hung=hung)
            log += rerun.stdout + rerun.stderr
        # the hung mutants (mutmut: "segfault" after the watchdog's SIGKILL), run without fork;
        # so are survivors that timed out when run again: they ran to the end before, and
        # mutmut's own wall-clock deadline ends a child asleep on an inherited lock as a
        # "timeout", which would otherwise count as killed (seen on rankings/counting.py,
        # 5 December: all 26 survivors of three functions). Read from mutmut's own statuses: a
        # survivor run again keeps its earlier direct verdict in the record, which must not stand
        # for this run's (rankings/credits.py, 5 December: 10 survivors killed by new tests)
        after, recorded = kept(mutmut_statuses(work)), direct_record(work)
        crashed = sorted(n for n, s in after.items()
                         if (s == "segfault" and (n not in recorded or n in again)) or (s == "timeout" and n in again))
        if crashed:
            verdicts = direct_verdicts(work, crashed, tests, jobs)
            log += "".join(f"\nhung under mutmut's fork, run in a process of its own: {n}: {v}"
                           for n, v in verdicts.items())
        # a first-pass timeout is killed only if it is endless on its own too: at a load of 10-17
        # (3 December) mutmut's deadline also ended mutants that were merely slow, or asleep on a
        # lock (entities/countries.py: 11 timeouts then, none at rest on 5 December)
        timed_out = sorted(n for n, s in after.items() if s == "timeout" and n not in again and n not in recorded)
        if timed_out:
            verdicts = direct_verdicts(work, timed_out, tests, jobs, endless="timeout")
            log += "".join(f"\ntimed out under mutmut's fork, run again in a process of its own: {n}: {v}"
                           for n, v in verdicts.items())
        (work / "mutmut-run.log").write_text(log, encoding="utf-8")
    seconds = time.monotonic() - started
    found = kept(statuses(work))
    if not found:
        raise SystemExit(f"mutation: mutmut produced no results for {module}; see {work}/mutmut-run.log")
    survived = sorted(n for n, s in found.items() if s not in ("killed", "timeout"))
    stale = stale_equivalents(work, [n for n in survived if n in equivalent], equivalent_changes())
    found.update(stale)
    not_equivalent = [n for n in survived if n not in equivalent or n in stale]
    killed = len(found) - len(survived)
    return {
        "module": module,
        "mutants": len(found),
        "killed": killed,
        "equivalent": len(survived) - len(not_equivalent),
        "survived": not_equivalent,
        "survived_status": {n: found[n] for n in not_equivalent},
        "score": round(100 * killed / len(found), 1),
        "score_without_equivalent": round(100 * killed / max(1, len(found) - (len(survived) - len(not_equivalent))), 1),
        "seconds": round(seconds),
    }


def direct_child() -> None:
    """Set up a mutant's own test process: low priority, and at most :data:`DIRECT_MEMORY` of memory."""
    import resource

    lower_priority()
    resource.setrlimit(resource.RLIMIT_AS, (DIRECT_MEMORY, DIRECT_MEMORY))


def lower_priority() -> None:
    """Yield the cores to interactive work on a shared Linux machine.

    With the kernel's autogroup scheduling (the default on most desktops and here) ``nice`` only
    orders processes of one session; against another session's jobs a niced mutmut still takes a
    full share of the cores. Raising the nice value of the autogroup of mutmut's own session
    (called in the child, after ``setsid``) is what makes the ``nice`` in :func:`mutmut` count,
    without slowing the shell that started the tool. Best effort: elsewhere (no ``/proc``)
    nothing changes.
    """
    try:
        Path("/proc/self/autogroup").write_text("19")
    except OSError:
        pass


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help="paths under src/innometrics (default: all)")
    parser.add_argument("--jobs", type=int, default=1, help="mutants run in parallel (default 1)")
    parser.add_argument("--report", action="store_true",
                        help="only report the results of the last run (against docs/mutation.md)")
    parser.add_argument("--show", action="store_true", help="print the change each surviving mutant makes")
    parser.add_argument("--only", action="append", metavar="GLOB",
                        help="only the mutants whose names match (fnmatch; repeatable), e.g. after a change "
                             "to a few functions: 'innometrics.rankings.credits.x_unit_year_sums__mutmut_*'")
    parser.add_argument("--direct", action="store_true",
                        help="finish the last run: each mutant without a verdict (not checked, or hung in "
                             "mutmut's fork; with --only, also one that hung in its own process before) "
                             "in a fresh process, saved as it ends")
    args = parser.parse_args(argv)
    if args.direct and args.report:
        parser.error("--direct and --report exclude each other")
    unknown = [m for m in args.modules if m not in MODULES]
    if unknown:
        parser.error(f"unknown module(s) {unknown}; choose from {list(MODULES)}")
    chosen = args.modules or list(MODULES)
    equivalent = equivalent_mutants()
    summary_path = WORK / "summary.json"
    failed = False
    for module in chosen:
        print(f"mutation: {module} ...", flush=True)
        result = run_module(module, MODULES[module], args.jobs, equivalent, report_only=args.report,
                            only=args.only, direct=args.direct)
        if args.only:
            result["only"] = args.only
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
        summary[module] = result
        summary_path.write_text(json.dumps(summary, indent=2), encoding="utf-8")
        print(
            f"  {result['mutants']} mutants, {result['killed']} killed, {result['equivalent']} equivalent, "
            f"{len(result['survived'])} surviving; score {result['score']}% "
            f"({result['score_without_equivalent']}% of non-equivalent) in {result['seconds']} s",
            flush=True,
        )
        for name in result["survived"]:
            print(f"  SURVIVED {name} ({result['survived_status'][name]})")
            if args.show:
                work = WORK / module.replace("/", ".").removesuffix(".py")
                diff = mutmut(work, "show", name).stdout.splitlines()
                print("\n".join("    " + line for line in diff if line.startswith(("-  ", "+  ", "- ", "+ "))
                                and not line.startswith(("---", "+++"))))
        failed = failed or bool(result["survived"])
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
