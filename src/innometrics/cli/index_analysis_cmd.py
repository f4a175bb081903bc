"""``innometrics index audit`` and ``innometrics index sensitivity``.

Both commands build the index from the spec, write the build's outputs into
``--out`` (as ``index build`` does) and add their own tables: ``audit/*.csv`` or
``sensitivity/*.csv``, listed in ``manifest.json`` under ``tables``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional
from typing import Any

import typer

from innometrics.cli.common import XLSX_HELP, console, handle_errors, progress, report_step
from innometrics.errors import SpecError
from innometrics.io.manifest import extend_manifest
from innometrics.io.outdir import staged_output


def _carry_over(out: Path, stage: Path, step: str) -> None:
    """Keep the other analysis (``audit`` or ``sensitivity``) an earlier run wrote into ``out``.

    ``index audit`` then ``index sensitivity`` into one folder gives both, as before the
    folder was staged: the earlier step's tables and log entry are copied into the new
    folder when its build is the same (same spec and same input hashes in the manifest).
    """
    import json
    import shutil

    try:
        old = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        new = json.loads((stage / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(old, dict) or old.get("spec") != new.get("spec") or old.get("inputs") != new.get("inputs"):
        return
    entry = next((e for e in old.get("log", []) if isinstance(e, dict) and e.get("step") == step), None)
    tables = {k: v for k, v in (old.get("tables") or {}).items() if str(v).startswith(f"{step}/")}
    if entry is None or not tables or not all((out / v).is_file() for v in tables.values()):
        return
    shutil.copytree(out / step, stage / step)
    extend_manifest(stage, tables, entry)


def _write_outputs(build: Any, out: Path) -> None:
    """Write the build's own outputs (stages, results, weights, log, manifest)."""
    from innometrics.composite.outputs import write_build

    write_build(build, out)


def audit_command(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Index spec (TOML)."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (the build plus audit/*.csv)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Statistical audit: indicator statistics, correlations and flags, Cronbach's alpha, PCA, effective weights."""
    from innometrics.composite import pipeline
    from innometrics.composite.audit import check_audit_settings, write_audit

    index_spec = pipeline.load_spec(spec)
    settings = check_audit_settings(getattr(index_spec, "audit", None), file=spec)
    with console.status("building the index"):
        build = pipeline.build(index_spec)
    if not hasattr(build, "stages"):
        raise SpecError("the audit needs a single-period build; set [data] period to one period.",
                        file=spec, key="data.period")
    with staged_output(out) as stage:
        _write_outputs(build, stage)
        _carry_over(out, stage, "sensitivity")
        tables = write_audit(build, stage, **settings)
        extend_manifest(stage, tables, {"step": "audit", "method": "coinr", "params": dict(settings)})
        console.print(f"audit written to {out / 'audit'} ({len(tables)} tables)")
        report_step(stage, report, xlsx=xlsx, shown=out)


def sensitivity_command(
    spec: Path = typer.Argument(..., metavar="SPEC", help="Index spec (TOML) with a [sensitivity] section."),
    runs: int = typer.Option(None, "--runs", "-n", help="Base sample size N (the model runs N x (factors + 2) times); default: the spec's."),
    seed: int = typer.Option(None, "--seed", "-s", help="Random seed; default: the spec's."),
    out: Path = typer.Option(..., "--out", "-o", help="Output folder (the build plus sensitivity/*.csv)."),
    report: bool = typer.Option(True, "--report/--no-report", help="Also write report.html into the output folder."),
    xlsx: Optional[Path] = typer.Option(None, "--xlsx", help=XLSX_HELP),
) -> None:
    """Monte Carlo uncertainty (rank intervals) and Sobol' sensitivity of the ranks to the declared choices."""
    from dataclasses import replace

    from innometrics.composite import pipeline
    from innometrics.composite.sensitivity import analyse, design_size, parse_sensitivity, write_sensitivity

    index_spec = pipeline.load_spec(spec)
    section = getattr(index_spec, "sensitivity", None)
    if not section:
        raise SpecError("the spec has no [sensitivity] section; declare [[sensitivity.factor]] entries "
                        "(see examples/asem/asem_sensitivity.toml).", file=spec, key="sensitivity")
    sens = parse_sensitivity(section, file=spec)
    if runs is not None:
        if runs < 2:
            raise SpecError(f"--runs must be an integer >= 2. Got {runs}.", key="--runs")
        sens = replace(sens, runs=runs)
    if seed is not None:
        if seed < 0:
            raise SpecError(f"--seed must be an integer >= 0. Got {seed}.", key="--seed")
        sens = replace(sens, seed=seed)
    with console.status("building the nominal index"):
        nominal = pipeline.build(index_spec)
    total = design_size(sens)
    with progress() as bar:
        task = bar.add_task("replications", total=total)
        result = analyse(nominal, sens, progress=lambda k: bar.advance(task, k))
    with staged_output(out) as stage:
        _write_outputs(nominal, stage)
        _carry_over(out, stage, "audit")
        tables = write_sensitivity(result, stage)
        extend_manifest(stage, tables, {"step": "sensitivity", "method": "saltelli_sobol", "params": sens.to_dict()})
        _print_timings(result, out)
        report_step(stage, report, xlsx=xlsx, shown=out)


def _print_timings(result: Any, out: Path) -> None:
    t = result.timings
    console.print(
        f"sensitivity written to {out / 'sensitivity'}: {int(t['n_runs'])} replications "
        f"in {t['total']:.2f} s ({1000 * t['total'] / t['n_runs']:.3f} ms per replication)"
    )


def register(index_app: typer.Typer) -> None:
    """Add ``audit`` and ``sensitivity`` to the ``index`` sub-app."""
    index_app.command("audit")(handle_errors(audit_command))
    index_app.command("sensitivity")(handle_errors(sensitivity_command))
