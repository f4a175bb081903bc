"""Build a composite index from a spec, step by step, as COINr does.

:func:`build` reads COINr's iData/iMeta, then runs the steps the spec lists
(``denominate, impute, screen, treat, normalise, aggregate``), keeping every stage
(``raw, denominated, ...``) as a units x codes frame indexed by ``uCode``. Each step
appends a record ``{step, method, params, details}`` to the log; the ``params`` of
the records are the spec's sections, so a log replays the build.
:func:`rebuild` re-runs only the steps downstream of the first changed setting
(COINr's ``Regen`` with changes). :func:`build_panel` builds every period of a panel
(COINr's "purse"), normalising across all periods at once by default as COINr's
``Normalise.purse(global = TRUE)``. Two settings need the whole panel even for one
period: ``[impute] method = "panel"`` (each unit's series imputed over time, after
``denominate`` and before ``screen``, as COINr's ``Impute.purse`` with ``impute_panel``)
and ``[normalise] method = "index"`` with a ``base_period``. ``[weighting]`` derives one
level's weights from a built period and rebuilds it with them.

Reference: COINr 1.1.14 (``new_coin``, ``Denominate``, ``Impute``, ``Screen``,
``Treat``, ``Normalise``, ``Aggregate``, ``get_results``, ``Regen``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from innometrics.composite.aggregate import aggregate_frame, check_group_weights, hierarchy
from innometrics.composite.builds import IndexBuild, PanelBuild
from innometrics.composite.denominate import denominate_frame
from innometrics.composite.impute import impute_frame, impute_panel_frame
from innometrics.composite.normalise import index_notes, normalise_frame
from innometrics.composite.screen import screen_units
from innometrics.composite.spec import STAGE_OF_STEP, STEPS, IndexSpec, load_spec
from innometrics.composite.treat import treat_frame
from innometrics.composite.weight import apply_weights
from innometrics.errors import SpecError
from innometrics.io.coinr import CoinrData, read_coinr
from innometrics.registry import get_method


# --------------------------------------------------------------------------- inputs


def _coerce_spec(spec: IndexSpec | dict | str | os.PathLike) -> IndexSpec:
    if isinstance(spec, IndexSpec):
        return spec
    if isinstance(spec, dict):
        return IndexSpec.from_dict(spec)
    return load_spec(spec)


def _read(spec: IndexSpec) -> CoinrData:
    return read_coinr(spec.data.indicators, spec.data.meta, units_path=spec.data.units)


def _period_value(value: Any) -> Any:
    return int(value) if isinstance(value, float) and value.is_integer() else value


@dataclass(frozen=True)
class _Context:
    """What the steps need besides the data: metadata, units, denominators."""

    meta: pd.DataFrame
    units: pd.DataFrame
    denominators: pd.DataFrame
    file: Any


def _prepare(spec: IndexSpec, data: CoinrData, period: Any) -> tuple[pd.DataFrame, _Context]:
    rows = data.idata
    if "Time" in rows.columns:
        periods = [_period_value(p) for p in data.periods]
        if period is None:
            if len(periods) > 1:
                raise SpecError(
                    f"the iData file is a panel with periods {', '.join(map(str, periods))}; "
                    "set [data] period to one of them, or to \"all\" to build every period.",
                    file=spec.source,
                    key="data.period",
                )
        else:
            if period not in periods:
                raise SpecError(
                    f"period {period!r} is not in the data; periods: {', '.join(map(str, periods))}.",
                    file=spec.source,
                    key="data.period",
                )
            rows = rows[rows["Time"] == period]
    elif period is not None:
        raise SpecError("[data] period is set but iData has no Time column.", file=spec.source, key="data.period")
    # COINr's new_coin sorts units by uCode
    rows = rows.sort_values("uCode", kind="stable").set_index("uCode")
    rows.index = pd.Index(rows.index.astype(str), name="uCode")
    indicators = list(data.indicators)
    imeta = data.imeta
    if spec.data.exclude:
        unknown = [c for c in spec.data.exclude if c not in indicators]
        if unknown:
            raise SpecError(f"exclude names codes that are not indicators: {', '.join(unknown)}.", file=spec.source, key="data.exclude")
        indicators = [c for c in indicators if c not in spec.data.exclude]
        imeta = imeta[~imeta["iCode"].isin(spec.data.exclude)]
        # as COINr's new_coin: drop aggregates left without children (one pass)
        childless = (imeta["Type"] == "Aggregate") & ~imeta["iCode"].isin(imeta["Parent"].dropna())
        imeta = imeta[~childless].reset_index(drop=True)
    raw = rows[indicators].astype(float)
    units = pd.DataFrame(index=rows.index)
    codes = pd.Series(rows.index.astype(str), index=rows.index)
    # COINr uses the code where a unit has no name
    units["uName"] = rows["uName"].astype("string").fillna(codes).astype(str) if "uName" in rows.columns else codes
    for g in data.groups:
        units[g] = rows[g]
    denominators = rows[data.denominators].astype(float)
    meta = apply_weights(imeta, spec.weights, file=spec.source)
    return raw, _Context(meta=meta, units=units, denominators=denominators, file=spec.source)


# --------------------------------------------------------------------------- steps


def _indicator_meta(ctx: _Context) -> pd.DataFrame:
    m = ctx.meta[ctx.meta["Type"] == "Indicator"]
    return m.set_index("iCode", drop=False)


def _step_denominate(frame: pd.DataFrame, ctx: _Context, settings: dict) -> tuple[pd.DataFrame, dict]:
    m = _indicator_meta(ctx)
    by = {str(c): str(d) for c, d in zip(m["iCode"], m["Denominator"]) if not pd.isna(d)}
    out = denominate_frame(frame, ctx.denominators, by, scale_factors=settings.get("scale_factors"), file=ctx.file)
    return out, {"method": "divide", "details": {"denominated": by}}


def _step_impute(frame: pd.DataFrame, ctx: _Context, settings: dict) -> tuple[pd.DataFrame, dict]:
    if settings.get("method") == "panel":
        # reached only if a caller skipped _panel_imputed: panel imputation needs every period
        raise SpecError("impute method 'panel' imputes across the periods of a panel; it cannot run on one period alone.",
                        file=ctx.file, key="impute.method")
    out, filled = impute_frame(frame, settings, units=ctx.units, file=ctx.file)
    # COINr's check_remaining_NAs: report what imputation could not fill
    left = {str(c): int(n) for c, n in out.isna().sum().items() if n}
    details = {"imputed_cells": filled, "n_imputed": int(sum(filled.values())), "still_missing": left}
    return out, {"method": settings.get("method", "mean"), "details": details}


def _step_screen(frame: pd.DataFrame, ctx: _Context, settings: dict) -> tuple[pd.DataFrame, dict]:
    out, summary = screen_units(frame, settings, file=ctx.file)
    removed = [str(u) for u in summary.index[~summary["Included"]]]
    return out, {"method": settings.get("by", "missing"), "details": {"removed": removed}, "_summary": summary}


def _step_treat(frame: pd.DataFrame, ctx: _Context, settings: dict) -> tuple[pd.DataFrame, dict]:
    s = dict(settings)
    if s.get("winsorise_max") == "unlimited":
        s["winsorise_max"] = None
    out, details = treat_frame(frame, s, file=ctx.file)
    return out, {"method": "winsorise", "details": {"treated": details}}


def _step_normalise(frame: pd.DataFrame, ctx: _Context, settings: dict) -> tuple[pd.DataFrame, dict]:
    out = normalise_frame(frame, _indicator_meta(ctx), settings, file=ctx.file)
    details: dict[str, Any] = {}
    if _uses_index(settings):
        indexed = [c for c in frame.columns if (settings.get("individual", {}).get(c) or settings).get("method") == "index"]
        details["undefined_index"] = index_notes(frame, out, indexed)
    return out, {"method": settings.get("method", "minmax"), "details": details}


def _uses_index(settings: dict) -> bool:
    return settings.get("method") == "index" or any(v.get("method") == "index" for v in settings.get("individual", {}).values())


def _step_aggregate(frame: pd.DataFrame, ctx: _Context, settings: dict) -> tuple[pd.DataFrame, dict]:
    out = aggregate_frame(frame, ctx.meta, settings, file=ctx.file)
    method = settings.get("method", "arithmetic")
    return out, {"method": method if isinstance(method, str) else "+".join(method), "details": {}}


_STEP_FUNCS = {
    "denominate": _step_denominate,
    "impute": _step_impute,
    "screen": _step_screen,
    "treat": _step_treat,
    "normalise": _step_normalise,
    "aggregate": _step_aggregate,
}


def _run(
    spec: IndexSpec,
    ctx: _Context,
    stages: dict[str, pd.DataFrame],
    log: list[dict],
    *,
    start: str | None = None,
    stop_before: str | None = None,
    screening: pd.DataFrame | None = None,
) -> tuple[dict[str, pd.DataFrame], list[dict], pd.DataFrame | None]:
    """Run the spec's steps from ``start`` (inclusive) up to ``stop_before`` (exclusive)."""
    stages = dict(stages)
    log = list(log)
    active = spec.steps()
    begin = STEPS.index(start) if start else 0
    for step in STEPS[begin:]:
        if stop_before and step == stop_before:
            break
        if step not in active:
            continue
        frame = next(reversed(stages.values()))
        settings = spec.section(step)
        out, info = _STEP_FUNCS[step](frame, ctx, settings)
        if "_summary" in info:
            screening = info.pop("_summary")
        stages[STAGE_OF_STEP[step]] = out.astype(float)
        log.append({"step": step, "method": info["method"], "params": settings, "details": info["details"]})
    return stages, log, screening


def results_table(stages: dict[str, pd.DataFrame], meta: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """COINr ``get_results`` (aggregates table): ``uCode, uName, Rank``, aggregates top-down.

    Rank is that of the top-level aggregate, highest score = 1, ties share the smallest
    rank and missing scores get no rank (R's ``rank(-x, ties.method = "min", na.last = "keep")``).
    Rows are sorted by rank (then uCode).
    """
    frame = next(reversed(stages.values()))
    aggs = meta[(meta["Type"] == "Aggregate") & meta["iCode"].isin(frame.columns)]
    aggs = aggs.sort_values(["Level", "Parent"], ascending=[False, True], kind="stable", na_position="last")
    codes = [str(c) for c in aggs["iCode"]]
    out = pd.DataFrame({"uCode": frame.index.astype(str), "uName": units.loc[frame.index, "uName"].astype(str).to_numpy()})
    if codes:
        top = frame[codes[0]].to_numpy(dtype=float)
        rank = np.full(top.shape, np.nan)
        ok = ~np.isnan(top)
        rank[ok] = rankdata(-top[ok], method="min")
        out["Rank"] = pd.array(rank, dtype="Int64")
        for c in codes:
            out[c] = frame[c].to_numpy(dtype=float)
        out = out.sort_values(["Rank", "uCode"], kind="stable", na_position="last")
    return out.reset_index(drop=True)


# --------------------------------------------------------------------------- public API


def _panel_imputation(spec: IndexSpec) -> bool:
    return spec.impute is not None and spec.impute.enabled and spec.impute.method == "panel"


def _context_of(b: IndexBuild, spec: IndexSpec) -> _Context:
    return _Context(meta=b.meta, units=b.units, denominators=b.denominators, file=spec.source)


def _panel_periods(spec: IndexSpec, data: CoinrData) -> list[Any]:
    periods = [_period_value(p) for p in data.periods]
    if not periods:
        raise SpecError('period = "all" and impute method "panel" need a panel: iData has no Time column.',
                        file=spec.source, key="data.period")
    return periods


def _panel_imputed(spec: IndexSpec, data: CoinrData) -> dict[Any, IndexBuild]:
    """Every period built up to imputation, then imputed across periods at once (COINr
    ``Impute.purse`` with ``f_i = "impute_panel"``: the purse's data sets are stacked with
    their ``Time``, imputed by :func:`~innometrics.composite.impute.impute_panel_frame`
    and split back into the periods)."""
    periods = _panel_periods(spec, data)
    before = {p: _build_period(spec, data, p, stop_before="impute") for p in periods}
    stacked = pd.concat({p: next(reversed(b.stages.values())) for p, b in before.items()}, names=["Time", "uCode"])
    imputed, details = impute_panel_frame(stacked, spec.section("impute"), file=spec.source)
    left = {str(c): int(n) for c, n in imputed.isna().sum().items() if n}
    out = {}
    for p, b in before.items():
        stages = dict(b.stages)
        stages["imputed"] = imputed.xs(p, level="Time").astype(float)
        record = {**details, "still_missing_in_period": {str(c): int(n) for c, n in stages["imputed"].isna().sum().items() if n},
                  "still_missing_in_panel": left}
        log = b.log + [{"step": "impute", "method": "panel", "params": spec.section("impute"), "details": record}]
        out[p] = replace(b, stages=stages, log=log)
    return out


def _continue(spec: IndexSpec, b: IndexBuild, *, start: str, stop_before: str | None = None) -> IndexBuild:
    """Run ``b``'s remaining steps from ``start``."""
    ctx = _context_of(b, spec)
    stages, log, screening = _run(spec, ctx, b.stages, b.log, start=start, stop_before=stop_before, screening=b.screening)
    return replace(b, stages=stages, log=log, screening=screening, results=results_table(stages, ctx.meta, ctx.units))


def _indexes_on_a_period(spec: IndexSpec) -> bool:
    norm = spec.normalise
    return norm is not None and norm.enabled and _uses_index(spec.section("normalise")) and (
        norm.base_period is not None or any(v.get("base_period") is not None for v in norm.individual.values()))


def _build_period(spec: IndexSpec, data: CoinrData, period: Any, *, stop_before: str | None = None) -> IndexBuild:
    if _indexes_on_a_period(spec) and stop_before in (None, "aggregate") and period is not None:
        # an index on a base period needs that period: build the panel, keep this period
        panel = build_panel(spec, data=data)
        if period not in panel.builds:
            raise SpecError(f"period {period!r} is not in the data; periods: {', '.join(map(str, panel.builds))}.",
                            file=spec.source, key="data.period")
        return panel.builds[period]
    if _panel_imputation(spec) and stop_before not in ("denominate", "impute"):
        # one period of a panel imputed over time: impute the whole panel, keep this period
        if period is None:
            raise SpecError("impute method 'panel' needs a panel: set [data] period to one period or to \"all\".",
                            file=spec.source, key="data.period")
        return _continue(spec, _panel_imputed(spec, data)[period], start="screen", stop_before=stop_before)
    raw, ctx = _prepare(spec, data, period)
    stages, log, screening = _run(spec, ctx, {"raw": raw.astype(float)}, [], stop_before=stop_before)
    results = results_table(stages, ctx.meta, ctx.units)
    return IndexBuild(
        spec=spec, stages=stages, meta=ctx.meta, units=ctx.units, denominators=ctx.denominators,
        results=results, log=log, period=period, inputs=data, screening=screening,
    )


def build(spec: IndexSpec | dict | str | os.PathLike) -> IndexBuild | PanelBuild:
    """Build the index described by ``spec`` (an :class:`IndexSpec`, a dict or a TOML path).

    Returns an :class:`IndexBuild`, or a :class:`PanelBuild` when ``[data] period = "all"``.

    >>> b = build("examples/asem/asem.toml")  # doctest: +SKIP
    >>> b.results.head()  # doctest: +SKIP
    """
    spec = _coerce_spec(spec)
    data = _read(spec)
    # The user's weights are checked here, not in every rebuild: leave-one-out (COINr
    # remove_elements) sets an only child's weight to 0 on purpose.
    check_group_weights(hierarchy(apply_weights(data.imeta, spec.weights, file=spec.source)), file=spec.source)
    if spec.data.period == "all":
        if spec.weighting is not None:
            raise SpecError("[weighting] derives the weights of one period; build one period (set [data] period).",
                            file=spec.source, key="weighting")
        return build_panel(spec, data=data)
    built = _build_period(spec, data, _period_value(spec.data.period))
    return _weights_from_data(built) if spec.weighting is not None else built


def _weights_from_data(built: IndexBuild) -> IndexBuild:
    """Derive the weights of one level from the build (``[weighting]``) and rebuild with them.

    The derived weights join the spec's ``[weights]`` (so ``log.json`` replays them) and
    are listed in the aggregate step's details.
    """
    w = built.spec.weighting
    func = get_method("weights", w.method)
    if w.method == "pca":
        weights = func(built, level=w.level, stage=w.stage, by_groups=w.by_groups)
        extra: dict[str, Any] = {}
    else:
        res = func(built, level=w.level, targets=w.targets, correlation=w.correlation, goal=w.goal)
        weights = res.weights
        extra = {"converged": res.converged, "iterations": res.iterations,
                 "obtained": dict(zip(res.table["iCode"], map(float, res.table["obtained"])))}
    negative = {c: v for c, v in weights.items() if v < 0}
    if negative:
        raise SpecError(f"[weighting] method '{w.method}' gave negative weights ({', '.join(f'{c} {v:.3f}' for c, v in negative.items())}); "
                        "such weights cannot aggregate. Use another level or method, or set them in [weights].",
                        file=built.spec.source, key="weighting")
    out = rebuild(built, weights=weights)
    log = [dict(r) for r in out.log]
    for r in log:
        if r["step"] == "aggregate":
            r["details"] = {**r["details"], "weights_from_data": {"method": w.method, "level": w.level,
                                                                  "weights": weights, **extra}}
    return replace(out, log=log)


def build_panel(spec: IndexSpec | dict | str | os.PathLike, *, data: CoinrData | None = None) -> PanelBuild:
    """Build every period of a panel (COINr purse); one results row per unit and period.

    With ``[normalise] global = true`` (COINr's default for purses) each indicator is
    normalised across all periods at once, so scores are comparable over time;
    otherwise each period is normalised on its own.
    """
    spec = _coerce_spec(spec)
    data = data if data is not None else _read(spec)
    periods = _panel_periods(spec, data)
    norm = spec.normalise
    global_norm = norm is not None and norm.enabled and norm.global_ and len(periods) > 1
    if global_norm and norm.method == "dist2ref":
        raise SpecError(
            "dist2ref cannot normalise across periods (its reference is one unit of one period); set global = false.",
            file=spec.source, key="normalise.global",
        )
    indexed = norm is not None and norm.enabled and _uses_index(spec.section("normalise"))
    stop = "normalise" if global_norm or indexed else None
    if _panel_imputation(spec):
        builds = {p: _continue(spec, b, start="screen", stop_before=stop) for p, b in _panel_imputed(spec, data).items()}
    else:
        builds = {p: _build_period(spec, data, p, stop_before=stop) for p in periods}
    if global_norm or indexed:
        partial = builds
        stacked = pd.concat({p: next(reversed(b.stages.values())) for p, b in partial.items()}, names=["Time", "uCode"])
        ctx0 = _context_of(partial[periods[0]], spec)
        if indexed:  # each unit on its base: the rows keep their (Time, uCode)
            normed, info = _step_normalise(stacked, ctx0, spec.section("normalise"))
        else:
            flat = stacked.reset_index(drop=True)
            flat.index = pd.RangeIndex(len(flat), name="uCode")
            normed, info = _step_normalise(flat, ctx0, spec.section("normalise"))
            normed.index = stacked.index
        builds = {}
        for p, b in partial.items():
            stages = dict(b.stages)
            stages["normalised"] = normed.xs(p, level="Time").astype(float)
            details = {"global": bool(global_norm), **info["details"]}
            if "undefined_index" in details:  # this period's cells only
                details["undefined_index"] = {c: [u.rsplit("@", 1)[0] for u in us if u.endswith(f"@{p}")]
                                              for c, us in details["undefined_index"].items()}
                details["undefined_index"] = {c: us for c, us in details["undefined_index"].items() if us}
            log = b.log + [{"step": "normalise", "method": info["method"], "params": spec.section("normalise"), "details": details}]
            builds[p] = _continue(spec, replace(b, stages=stages, log=log), start="aggregate")
    frames = []
    for p, b in builds.items():
        r = b.results.copy()
        r.insert(2, "Time", p)
        frames.append(r)
    results = pd.concat(frames, ignore_index=True)
    log = [{"step": "panel", "method": "purse", "params": {"periods": [p for p in periods]}, "details": {"global_normalisation": bool(global_norm)}}]
    return PanelBuild(spec=spec, builds=builds, results=results, log=log)


def _needs_whole_panel(step: str, spec: IndexSpec) -> bool:
    """Whether re-running from ``step`` needs the other periods (panel imputation, an index on a base period)."""
    upto = STEPS.index(step)
    return (upto <= STEPS.index("impute") and _panel_imputation(spec)) or (
        upto <= STEPS.index("normalise") and _indexes_on_a_period(spec))


def _first_changed(old: IndexSpec, new: IndexSpec) -> str | None:
    """The first step whose settings differ between two specs (weights count as aggregate)."""
    for step in STEPS:
        was = step in old.steps()
        now = step in new.steps()
        if was != now or (now and old.section(step) != new.section(step)):
            return step
        if step == "aggregate" and old.weights != new.weights:
            return step
    return None


def rebuild(previous: IndexBuild, **changes: Any) -> IndexBuild:
    """Re-run ``previous`` with changed settings, re-using the stages upstream of the change.

    Each keyword is a spec section whose keys are merged into the old section
    (``rebuild(b, aggregate={"method": "geometric"})``, ``rebuild(b, weights={"Sust": 3})``);
    ``None`` removes a step. With no changes it replays the whole log (COINr ``Regen``).
    """
    raw = previous.spec.to_dict()
    for key, value in changes.items():
        if key not in (*STEPS, "weights", "data"):
            raise SpecError(f"cannot rebuild with '{key}'; use one of: {', '.join((*STEPS, 'weights', 'data'))}.", key=key)
        if value is None:
            raw.pop(key, None)
        else:
            raw[key] = {**raw.get(key, {}), **value}
    new = IndexSpec.from_dict(raw, source=previous.spec.source, text=None)
    if not changes or "data" in changes or previous.inputs is None:
        return _build_period(new, previous.inputs if previous.inputs is not None and "data" not in changes else _read(new), previous.period)
    first = _first_changed(previous.spec, new)
    if first is None:
        return replace(previous, spec=new)
    if _needs_whole_panel(first, new) or _needs_whole_panel(first, previous.spec):
        return _build_period(new, previous.inputs, previous.period)
    meta = apply_weights(previous.meta, new.weights, file=new.source)
    ctx = _Context(meta=meta, units=previous.units, denominators=previous.denominators, file=new.source)
    keep = ["raw"] + [STAGE_OF_STEP[s] for s in STEPS[: STEPS.index(first)]]
    stages = {k: v for k, v in previous.stages.items() if k in keep}
    log = [r for r in previous.log if STEPS.index(r["step"]) < STEPS.index(first)]
    screening = previous.screening if "screened" in stages else None
    stages, log, screening = _run(new, ctx, stages, log, start=first, screening=screening)
    return replace(
        previous, spec=new, stages=stages, meta=meta, log=log, screening=screening,
        results=results_table(stages, meta, previous.units),
    )


def regen(previous: IndexBuild, from_step: str | None = None) -> IndexBuild:
    """Re-run ``previous``'s own spec from ``from_step`` (default: from the data), as COINr's ``Regen``."""
    if from_step is None or previous.inputs is None:
        return _build_period(previous.spec, previous.inputs if previous.inputs is not None else _read(previous.spec), previous.period)
    if from_step not in STEPS:
        raise SpecError(f"from_step must be one of {', '.join(STEPS)}. Got {from_step!r}.", key="from_step")
    if _needs_whole_panel(from_step, previous.spec):
        return _build_period(previous.spec, previous.inputs, previous.period)
    ctx = _Context(meta=previous.meta, units=previous.units, denominators=previous.denominators, file=previous.spec.source)
    keep = ["raw"] + [STAGE_OF_STEP[s] for s in STEPS[: STEPS.index(from_step)]]
    stages = {k: v for k, v in previous.stages.items() if k in keep}
    log = [r for r in previous.log if STEPS.index(r["step"]) < STEPS.index(from_step)]
    screening = previous.screening if "screened" in stages else None
    stages, log, screening = _run(previous.spec, ctx, stages, log, start=from_step, screening=screening)
    return replace(previous, stages=stages, log=log, screening=screening, results=results_table(stages, ctx.meta, ctx.units))


def replay(log_path: str | os.PathLike) -> IndexBuild | PanelBuild:
    """Rebuild an index from the ``log.json`` of an output folder (its ``spec`` entry)."""
    import json
    from pathlib import Path

    path = Path(log_path)
    if path.is_dir():
        path = path / "log.json"
    try:
        logged = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise SpecError(f"cannot read the build log: {exc}", file=path) from None
    if not isinstance(logged, dict) or "spec" not in logged:
        raise SpecError("not an index build log (no 'spec' entry).", file=path)
    return build(IndexSpec.from_dict(logged["spec"], base_dir=path.parent, source=path))
