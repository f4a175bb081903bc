"""Monte Carlo uncertainty and variance-based sensitivity analysis of an index build.

The uncertain inputs are declared in the spec's ``[sensitivity]`` section::

    [sensitivity]
    runs = 200          # base sample size N; the model runs N * (d + 2) times
    seed = 42           # seeds the Sobol' scrambling and the bootstrap
    target = "Index"    # optional: the aggregate whose ranks are studied (default: top)
    bootstrap = 100     # bootstrap resamples for the confidence intervals
    confidence = 0.95

    [[sensitivity.factor]]          # each weight at a level times U(1 - noise, 1 + noise)
    kind = "weights"
    level = 2                       # or a list, e.g. [2, 3], for one factor over levels
    noise = 0.25

    [[sensitivity.factor]]          # a discrete choice, equally likely alternatives
    kind = "choice"
    step = "aggregate"
    key = "method"                  # omit `key` to give whole tables of step settings
    values = ["arithmetic", "geometric"]   # (settings a table leaves out take their defaults)

Design (COINr ``get_sensitivity`` with ``SA_type = "SA"``, Saisana, Saltelli and
Tarantola 2005, JRSS A 168(2)): a Saltelli design of ``N (d + 2)`` runs is drawn
with SALib (scrambled Sobol' points, ``calc_second_order = False``), ``d`` being
the number of factors. Weight noise is COINr's ``get_noisy_weights``:
``w' = w (1 + u)``, ``u ~ U(-noise, noise)``, independently per weight; but where COINr
draws a fixed set of noisy weight vectors and samples among them as one discrete
factor, each run here draws its own multipliers. A weights factor is therefore a
*group* of variables (one multiplier per weight), and its Sobol' indices are those of
the group. A choice maps ``u ~ U(0, 1)`` to alternative ``floor(u k)`` of ``k``
(COINr ``sample_2_para``). The model output is COINr's
"mean absolute rank shift" ``mean_u |rank_u - nominal_rank_u|`` of the target; rank
statistics (median, 5th and 95th percentiles, quantile type 7) use the ``2N``
independent runs of matrices A and B, as COINr does.

Speed: discrete choices have few distinct combinations. Each combination is built
once with :func:`~innometrics.composite.pipeline.rebuild` (which reruns only the
steps downstream of the change); weight noise is then applied to all its runs at
once, aggregating level by level from the lowest perturbed level as arrays
``runs x units x children``, with the same formulas as the registered aggregation
methods (missing children skipped, weights renormalised over present children).
"""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import rankdata

from innometrics.errors import DataError, SpecError
from innometrics.io.writers import write_csv

#: Steps whose settings a ``choice`` factor may vary.
CHOICE_STEPS = ("denominate", "impute", "screen", "treat", "normalise", "aggregate")
#: Files written by :func:`write_sensitivity`, relative to the output folder.
SENSITIVITY_TABLES = {
    "rank_intervals": "sensitivity/rank_intervals.csv",
    "sobol": "sensitivity/sobol.csv",
    "sensitivity_runs": "sensitivity/runs.csv",
}
_SECTION_KEYS = {"runs", "seed", "target", "bootstrap", "confidence", "factor"}
_FACTOR_KEYS = {"weights": {"kind", "name", "level", "noise"}, "choice": {"kind", "name", "step", "key", "values"}}


# --------------------------------------------------------------------------- spec
@dataclass(frozen=True)
class Factor:
    """One uncertain input: weight noise at some levels, or a discrete choice."""

    name: str
    kind: str
    levels: tuple[int, ...] = ()
    noise: float = 0.0
    step: str | None = None
    key: str | None = None
    values: tuple[Any, ...] = ()

    def override(self, index: int | np.integer, nominal_spec: Any = None) -> dict[str, dict[str, Any]]:
        """The ``rebuild`` step override for alternative ``index`` of a choice.

        With ``key`` the value replaces that one setting. Without ``key`` the value is the
        step's whole table: settings it leaves out take their defaults (looked up on
        ``nominal_spec``'s section model), not the nominal spec's values.
        """
        value = self.values[int(index)]
        if self.key is not None:
            return {self.step: {self.key: value}}
        return {self.step: {**_section_defaults(nominal_spec, self.step), **dict(value)}}

    def label(self, index: int) -> str:
        value = self.values[index]
        return value if isinstance(value, str) else json.dumps(value, sort_keys=True)


def _section_defaults(nominal_spec: Any, step: str) -> dict[str, Any]:
    """Default value of every setting of ``step`` (pydantic section model of the spec)."""
    section = getattr(nominal_spec, step, None) if nominal_spec is not None else None
    fields = getattr(type(section), "model_fields", None)
    if not fields:
        return {}
    out = {}
    for name, info in fields.items():
        key = info.alias or name
        if key != "enabled":
            out[key] = info.get_default(call_default_factory=True)
    return out


@dataclass(frozen=True)
class SensitivitySpec:
    """The validated ``[sensitivity]`` section."""

    factors: tuple[Factor, ...]
    runs: int = 200
    seed: int = 0
    target: str | None = None
    bootstrap: int = 100
    confidence: float = 0.95

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"runs": self.runs, "seed": self.seed, "bootstrap": self.bootstrap,
                               "confidence": self.confidence, "factor": []}
        if self.target is not None:
            out["target"] = self.target
        for f in self.factors:
            if f.kind == "weights":
                out["factor"].append({"kind": "weights", "name": f.name, "level": list(f.levels), "noise": f.noise})
            else:
                entry = {"kind": "choice", "name": f.name, "step": f.step, "values": list(f.values)}
                if f.key is not None:
                    entry["key"] = f.key
                out["factor"].append(entry)
        return out


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def parse_sensitivity(section: Mapping[str, Any], *, file: Any = None) -> SensitivitySpec:
    """Validate a ``[sensitivity]`` table; every problem is a :class:`SpecError`."""
    if not isinstance(section, Mapping):
        raise SpecError("[sensitivity] must be a table.", file=file, key="sensitivity")
    unknown = sorted(set(section) - _SECTION_KEYS)
    if unknown:
        raise SpecError(f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_SECTION_KEYS))}.",
                        file=file, key=f"sensitivity.{unknown[0]}")
    runs = section.get("runs", 200)
    if not _is_int(runs) or runs < 2:
        raise SpecError(f"'runs' (the base sample size N) must be an integer >= 2. Got {runs!r}.", file=file, key="sensitivity.runs")
    seed = section.get("seed", 0)
    if not _is_int(seed) or seed < 0:
        raise SpecError(f"'seed' must be an integer >= 0. Got {seed!r}.", file=file, key="sensitivity.seed")
    boot = section.get("bootstrap", 100)
    if not _is_int(boot) or boot < 1:
        raise SpecError(f"'bootstrap' must be an integer >= 1. Got {boot!r}.", file=file, key="sensitivity.bootstrap")
    conf = section.get("confidence", 0.95)
    if not isinstance(conf, (int, float)) or isinstance(conf, bool) or not 0 < conf < 1:
        raise SpecError(f"'confidence' must be a number between 0 and 1. Got {conf!r}.", file=file, key="sensitivity.confidence")
    target = section.get("target")
    if target is not None and not isinstance(target, str):
        raise SpecError(f"'target' must be an aggregate code (text). Got {target!r}.", file=file, key="sensitivity.target")
    raw_factors = section.get("factor", [])
    if not isinstance(raw_factors, list) or not raw_factors:
        raise SpecError("declare at least one [[sensitivity.factor]] (kind = \"weights\" or \"choice\").",
                        file=file, key="sensitivity.factor")
    factors = [_parse_factor(f, i, file) for i, f in enumerate(raw_factors)]
    if len(factors) < 2:
        raise SpecError("Sobol' indices need at least two uncertain factors (as COINr's get_sensitivity); "
                        "add a second [[sensitivity.factor]], e.g. weights noise at another level.",
                        file=file, key="sensitivity.factor")
    names = [f.name for f in factors]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise SpecError(f"factor names must be unique; repeated: {', '.join(dup)}. Give each a 'name'.",
                        file=file, key="sensitivity.factor")
    return SensitivitySpec(tuple(factors), runs, seed, target, boot, float(conf))


def _parse_factor(raw: Any, i: int, file: Any) -> Factor:
    key = f"sensitivity.factor[{i}]"
    if not isinstance(raw, Mapping):
        raise SpecError("each factor must be a table.", file=file, key=key)
    kind = raw.get("kind")
    if kind not in _FACTOR_KEYS:
        raise SpecError(f"'kind' must be one of 'weights', 'choice'. Got {kind!r}.", file=file, key=f"{key}.kind")
    unknown = sorted(set(raw) - _FACTOR_KEYS[kind])
    if unknown:
        raise SpecError(f"unknown key(s) {', '.join(unknown)} for a {kind} factor; allowed: "
                        f"{', '.join(sorted(_FACTOR_KEYS[kind]))}.", file=file, key=f"{key}.{unknown[0]}")
    name = raw.get("name")
    if name is not None and (not isinstance(name, str) or not name):
        raise SpecError(f"'name' must be non-empty text. Got {name!r}.", file=file, key=f"{key}.name")
    if kind == "weights":
        level = raw.get("level")
        levels = level if isinstance(level, list) else [level]
        if not levels or not all(_is_int(v) and v >= 1 for v in levels):
            raise SpecError(f"'level' must be an integer >= 1 or a list of them. Got {level!r}.", file=file, key=f"{key}.level")
        noise = raw.get("noise")
        if not isinstance(noise, (int, float)) or isinstance(noise, bool) or not 0 <= noise < 1:
            raise SpecError(f"'noise' must be a number in [0, 1) (0.25 = weights vary by +-25 %). Got {noise!r}.",
                            file=file, key=f"{key}.noise")
        levels = sorted(set(levels))
        return Factor(name or "weights_L" + "_".join(map(str, levels)), "weights", tuple(levels), float(noise))
    step = raw.get("step")
    if step not in CHOICE_STEPS:
        raise SpecError(f"'step' must be one of {', '.join(CHOICE_STEPS)}. Got {step!r}.", file=file, key=f"{key}.step")
    values = raw.get("values")
    if not isinstance(values, list) or len(values) < 2:
        raise SpecError(f"'values' must list at least two alternatives. Got {values!r}.", file=file, key=f"{key}.values")
    k = raw.get("key")
    if k is not None and not isinstance(k, str):
        raise SpecError(f"'key' must be the name of a setting of [{step}]. Got {k!r}.", file=file, key=f"{key}.key")
    if k is None and not all(isinstance(v, Mapping) for v in values):
        raise SpecError("without 'key', every value must be a table of settings of the step.", file=file, key=f"{key}.values")
    return Factor(name or (f"{step}.{k}" if k else step), "choice", step=step, key=k, values=tuple(values))


# --------------------------------------------------------------------------- design
def design_size(spec: SensitivitySpec) -> int:
    """Number of model runs of the Saltelli design: ``N (d + 2)``."""
    return spec.runs * (len(spec.factors) + 2)


@dataclass(frozen=True)
class Design:
    """SALib problem and where each variable goes."""

    problem: dict[str, Any]
    factor_of_var: tuple[int, ...]      # factor index of each column
    weight_code: tuple[str | None, ...]  # code whose weight a column multiplies (None for choices)


def framework(meta: pd.DataFrame) -> pd.DataFrame:
    """Indicator and aggregate rows of iMeta (``iCode, Level, Parent, Weight``), ``Level`` as int."""
    fw = meta[meta["Type"].isin(["Indicator", "Aggregate"])][["iCode", "Level", "Parent", "Weight"]].copy()
    fw["Level"] = fw["Level"].astype(int)
    return fw.reset_index(drop=True)


def make_design(spec: SensitivitySpec, meta: pd.DataFrame) -> Design:
    """One SALib variable per perturbed weight (grouped by factor) and per choice."""
    fw = framework(meta)
    names, bounds, groups, fidx, codes = [], [], [], [], []
    for i, f in enumerate(spec.factors):
        if f.kind == "weights":
            sel = fw[fw["Level"].isin(f.levels) & fw["Parent"].notna()]
            if sel.empty:
                raise SpecError(f"no weighted codes at level(s) {list(f.levels)} (a level's weights are used to "
                                f"aggregate into the level above; the top level has none).", key=f"sensitivity.factor[{i}].level")
            for code in sel["iCode"]:
                names.append(f"{f.name}:{code}")
                # zero noise still gets a (dummy) variable so the factor keeps its place
                bounds.append([1.0 - f.noise, 1.0 + f.noise] if f.noise > 0 else [0.0, 1.0])
                groups.append(f.name)
                fidx.append(i)
                codes.append(str(code))
        else:
            names.append(f.name)
            bounds.append([0.0, 1.0])
            groups.append(f.name)
            fidx.append(i)
            codes.append(None)
    problem = {"num_vars": len(names), "names": names, "bounds": bounds, "groups": groups}
    return Design(problem, tuple(fidx), tuple(codes))


def saltelli_sample(problem: Mapping[str, Any], n: int, seed: int) -> np.ndarray:
    """Saltelli's design for first and total indices: ``n (g + 2)`` rows, ``g`` groups.

    Rows come in blocks ``A, AB_1 .. AB_g, B`` (SALib ``sample.sobol`` with scrambled
    Sobol' points seeded by ``seed``; Saltelli et al. 2010, Comput. Phys. Commun. 181).
    """
    from SALib.sample import sobol as sobol_sample

    with warnings.catch_warnings():
        # Balance of Sobol' points is best for n a power of 2; other n are still valid.
        warnings.simplefilter("ignore", UserWarning)
        return sobol_sample.sample(dict(problem), n, calc_second_order=False, scramble=True, seed=seed)


def sobol_indices(problem: Mapping[str, Any], y: np.ndarray, *, bootstrap: int = 100,
                  confidence: float = 0.95, seed: int = 0) -> dict[str, np.ndarray]:
    """First-order ``S1`` and total ``ST`` Sobol' indices per group, with bootstrap half-widths.

    SALib ``analyze.sobol`` (Saltelli 2010 estimator for ``S1``, Jansen 1999 for ``ST``),
    ``num_resamples = bootstrap``, seeded. SALib ignores ``seed = 0``: pass a non-zero
    seed (:func:`derived_seeds`) for reproducible intervals.
    """
    from SALib.analyze import sobol as sobol_analyze

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return sobol_analyze.analyze(dict(problem), np.asarray(y, dtype=float), calc_second_order=False,
                                     num_resamples=bootstrap, conf_level=confidence, seed=seed)


def derived_seeds(seed: int) -> tuple[int, int]:
    """Two independent non-zero seeds (design, bootstrap) from the user's seed.

    Non-zero because SALib's ``analyze.sobol`` ignores a seed of 0 (``if seed:``).
    """
    a, b = (int(v) for v in np.random.SeedSequence(seed).generate_state(2))
    return max(a, 1), max(b, 1)


def sample(design: Design, spec: SensitivitySpec) -> np.ndarray:
    """The design of ``spec``: ``N (d + 2)`` runs, zero-noise weights fixed at 1."""
    X = saltelli_sample(design.problem, spec.runs, derived_seeds(spec.seed)[0])
    for j, i in enumerate(design.factor_of_var):
        f = spec.factors[i]
        if f.kind == "weights" and f.noise == 0:
            X[:, j] = 1.0  # zero noise: exactly the nominal weight
    return X


def choice_indices(design: Design, spec: SensitivitySpec, X: np.ndarray) -> np.ndarray:
    """Alternative index of each choice factor per run: ``floor(u k)`` (COINr ``sample_2_para``)."""
    cols = [j for j, c in enumerate(design.weight_code) if c is None]
    out = np.zeros((X.shape[0], len(cols)), dtype=np.int64)
    for m, j in enumerate(cols):
        k = len(spec.factors[design.factor_of_var[j]].values)
        out[:, m] = np.minimum(np.floor(X[:, j] * k).astype(np.int64), k - 1)
    return out


# --------------------------------------------------------------------------- vectorised aggregation
def _agg_arithmetic(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    present = ~np.isnan(X)
    Wp = np.where(present, W, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.sum(Wp / Wp.sum(axis=-1, keepdims=True) * np.where(present, X, 0.0), axis=-1)
    y[~present.any(axis=-1)] = np.nan
    return y


def _agg_geometric(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    if np.any(X <= 0):
        raise DataError("the geometric mean needs positive values, but some are zero or negative; normalise onto a "
                        "positive range first (e.g. [normalise] range = [1, 100])", reason="non_positive")
    present = ~np.isnan(X)
    Wp = np.where(present, W, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = np.exp(np.sum(Wp * np.log(np.where(present, X, 1.0)), axis=-1) / Wp.sum(axis=-1))
    y[~present.any(axis=-1)] = np.nan
    return y


def _agg_harmonic(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    if np.any(X == 0):
        raise DataError("the harmonic mean cannot use zero values", reason="zero_value")
    present = ~np.isnan(X)
    Wp = np.where(present, W, 0.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        y = Wp.sum(axis=-1) / np.sum(Wp / np.where(present, X, 1.0), axis=-1)
    y[~present.any(axis=-1)] = np.nan
    return y


def _agg_generalised(X: np.ndarray, W: np.ndarray, p: float = 2.0) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        return (np.sum(W * X**p, axis=-1) / np.sum(W, axis=-1)) ** (1.0 / p)


#: Kernels on ``X (runs, units, children)`` and ``W (runs, 1, children)``; each mirrors the
#: registered ``aggregate`` method of the same name. Other methods run one replication at a time.
VECTOR_KERNELS: dict[str, Callable[..., np.ndarray]] = {
    "arithmetic": _agg_arithmetic,
    "geometric": _agg_geometric,
    "harmonic": _agg_harmonic,
    "generalised": _agg_generalised,
}


def _per_level(value: Any, levels: Sequence[int]) -> dict[int, Any]:
    if isinstance(value, (list, tuple)):
        return dict(zip(levels, value))
    return {lev: value for lev in levels}


@dataclass(frozen=True)
class _Tree:
    """The framework as plain dicts (fast to walk once per combination)."""

    level: dict[str, int]
    weight: dict[str, float]
    children: dict[str, list[str]]   # in iMeta row order, as the pipeline's aggregation takes them
    parents_by_level: dict[int, list[str]]


def _tree(meta: pd.DataFrame) -> _Tree:
    fw = framework(meta)
    level = dict(zip(fw["iCode"].astype(str), fw["Level"].astype(int)))
    weight = dict(zip(fw["iCode"].astype(str), fw["Weight"].astype(float)))
    children: dict[str, list[str]] = {}
    for code, parent in zip(fw["iCode"].astype(str), fw["Parent"]):
        if isinstance(parent, str) and level.get(parent) == level[code] + 1:
            children.setdefault(parent, []).append(code)
    by_level: dict[int, list[str]] = {}
    for parent in children:
        by_level.setdefault(level[parent], []).append(parent)
    return _Tree(level, weight, children, {k: by_level[k] for k in sorted(by_level)})


def fast_target_scores(
    aggregated: pd.DataFrame,
    meta: pd.DataFrame,
    settings: Mapping[str, Any],
    multipliers: Mapping[str, np.ndarray],
    target: str,
    n_runs: int,
    *,
    tree: _Tree | None = None,
) -> np.ndarray:
    """Target scores ``(runs, units)`` when the weights of some codes are multiplied per run.

    ``aggregated`` is the aggregated stage of the build with the right discrete
    choices; aggregates at or below the lowest perturbed level are taken from it, the
    levels above are recomputed for all runs at once. ``multipliers[code]`` has one
    value per run.
    """
    units = aggregated.shape[0]
    col = {str(c): j for j, c in enumerate(aggregated.columns)}
    A = aggregated.to_numpy(dtype=float)

    def shared(code: str) -> np.ndarray:
        return np.broadcast_to(A[:, col[code]], (n_runs, units))

    if not multipliers:
        return shared(target).copy()
    tree = tree or _tree(meta)
    lowest = min(tree.level[c] for c in multipliers)
    if tree.level[target] <= lowest:
        return shared(target).copy()
    levels = list(tree.parents_by_level)
    methods = _per_level(settings.get("method", "arithmetic"), levels)
    thresholds = _per_level(settings.get("min_availability"), levels)
    p_values = _per_level(settings.get("p", 2.0), levels)
    values: dict[str, np.ndarray] = {}
    for level in levels:
        if level <= lowest:
            continue
        method, thr = methods[level], thresholds[level]
        for parent in tree.parents_by_level[level]:
            children = tree.children[parent]
            X = np.stack([values[c] if c in values else shared(c) for c in children], axis=-1)
            W = np.stack([tree.weight[c] * multipliers[c] if c in multipliers else np.full(n_runs, tree.weight[c])
                          for c in children], axis=-1)[:, None, :]
            W = np.broadcast_to(W, X.shape)
            if method in VECTOR_KERNELS:
                params = {"p": p_values[level]} if method == "generalised" else {}
                y = VECTOR_KERNELS[method](X, W, **params)
            else:
                from innometrics.registry import get_method

                func = get_method("aggregate", method)
                y = np.stack([np.asarray(func(X[r], W[r, 0]), dtype=float) for r in range(n_runs)])
            if thr is not None and method != "copeland":
                share = (~np.isnan(X)).sum(axis=-1) / X.shape[-1]
                y = np.where(share < thr, np.nan, y)
            values[parent] = y
    return values[target]


def rank_rows(scores: np.ndarray) -> np.ndarray:
    """Ranks per row, highest score first, ties sharing the lowest rank (R ``rank(-x, ties = "min")``).

    Missing scores get no rank.

    >>> rank_rows(np.array([[3.0, 1.0, np.nan, 3.0]]))
    array([[ 1.,  3., nan,  1.]])
    """
    return rankdata(-np.atleast_2d(scores), axis=1, method="min", nan_policy="omit")


# --------------------------------------------------------------------------- pipeline glue
def _pipeline():
    from innometrics.composite import pipeline

    return pipeline


def _spec_dict(build: Any) -> dict[str, Any]:
    spec = getattr(build, "spec", None)
    if spec is None:
        return {}
    return spec.to_dict() if hasattr(spec, "to_dict") else dict(spec)


def top_code(meta: pd.DataFrame) -> str:
    fw = framework(meta)
    top = fw[fw["Level"] == fw["Level"].max()]
    return str(top["iCode"].iloc[0])


def _merge(overrides: list[dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for o in overrides:
        for step, settings in o.items():
            out.setdefault(step, {}).update(settings)
    return out


def combo_changes(nominal: Any, spec: SensitivitySpec, design: Design, combo: np.ndarray) -> dict[str, dict[str, Any]]:
    """Step changes for one combination of choice alternatives (one index per choice factor)."""
    choice_cols = [j for j, c in enumerate(design.weight_code) if c is None]
    return _merge([spec.factors[design.factor_of_var[j]].override(int(combo[m]), getattr(nominal, "spec", None))
                   for m, j in enumerate(choice_cols)])


def replication_changes(nominal: Any, spec: SensitivitySpec, design: Design, row: np.ndarray) -> dict[str, dict[str, Any]]:
    """The spec changes of one run: ``{step: settings}`` plus ``weights`` (``{code: weight}``)."""
    steps = combo_changes(nominal, spec, design, choice_indices(design, spec, row[None, :])[0])
    fw = framework(nominal.meta).set_index("iCode")
    weights = {c: float(fw.loc[c, "Weight"]) * float(row[j]) for j, c in enumerate(design.weight_code) if c is not None}
    if weights:
        steps["weights"] = {**_spec_dict(nominal).get("weights", {}), **weights}
    return steps


def full_replication(nominal: Any, spec: SensitivitySpec, design: Design, row: np.ndarray, target: str) -> pd.Series:
    """Target scores of one run by a full ``rebuild`` (the slow path, for checks and baselines)."""
    steps = replication_changes(nominal, spec, design, row)
    b = _pipeline().rebuild(nominal, **steps) if steps else nominal
    return b.stages["aggregated"][target]


# --------------------------------------------------------------------------- run
@dataclass
class SensitivityResult:
    """Everything a sensitivity run produced."""

    rank_intervals: pd.DataFrame
    sobol: pd.DataFrame
    runs: pd.DataFrame
    scores: np.ndarray                     # (runs, units) target scores
    ranks: np.ndarray                      # (runs, units)
    sample: np.ndarray
    spec: SensitivitySpec
    target: str
    timings: dict[str, float] = field(default_factory=dict)


def evaluate(
    nominal: Any,
    spec: SensitivitySpec,
    design: Design,
    X: np.ndarray,
    target: str,
    *,
    progress: Callable[[int], None] | None = None,
    max_cells: int = 4_000_000,
) -> np.ndarray:
    """Target scores for every run of ``X``: one rebuild per distinct choice combination.

    Runs are processed in chunks whose arrays ``runs x units x children`` stay under
    ``max_cells`` values (32 MB of float64 each), so memory does not grow with ``N``.
    """
    units = nominal.stages["aggregated"].index
    choice_cols = [j for j, c in enumerate(design.weight_code) if c is None]
    weight_cols = [j for j, c in enumerate(design.weight_code) if c is not None]
    idx = choice_indices(design, spec, X)
    scores = np.full((X.shape[0], len(units)), np.nan)
    combos = np.unique(idx, axis=0) if idx.shape[1] else np.zeros((1, 0), dtype=np.int64)
    for combo in combos:
        rows = np.flatnonzero((idx == combo).all(axis=1)) if idx.shape[1] else np.arange(X.shape[0])
        steps = combo_changes(nominal, spec, design, combo)
        try:
            b = _pipeline().rebuild(nominal, **steps) if steps else nominal
        except (DataError, SpecError) as exc:
            labels = ", ".join(f"{spec.factors[design.factor_of_var[j]].name}={spec.factors[design.factor_of_var[j]].label(int(combo[m]))}"
                               for m, j in enumerate(choice_cols))
            message = f"the build fails for the alternative {labels}: {exc}"
            if isinstance(exc, SpecError):
                raise SpecError(message, key="sensitivity.factor") from None
            raise DataError(message, reason=exc.reason) from None
        agg = b.stages["aggregated"]
        tree = _tree(b.meta)
        widest = max((len(c) for c in tree.children.values()), default=1)
        chunk = max(64, max_cells // max(1, len(units) * widest))
        settings = b.spec.section("aggregate") if hasattr(b.spec, "section") else _spec_dict(b).get("aggregate", {})
        pos = units.get_indexer(agg.index)
        for start in range(0, rows.size, chunk):
            r = rows[start:start + chunk]
            mult = {design.weight_code[j]: X[r, j] for j in weight_cols}
            s = fast_target_scores(agg, b.meta, settings, mult, target, r.size, tree=tree)
            block = np.full((r.size, len(units)), np.nan)
            block[:, pos[pos >= 0]] = s[:, pos >= 0]
            scores[r] = block
            if progress is not None:
                progress(r.size)
    return scores


def memory_needed(spec: SensitivitySpec, design: Design, n_units: int) -> int:
    """Bytes the analysis holds at once: the design ``X`` and the scores and ranks of every run.

    ``8 N (d + 2) (v + 2 u)`` for ``v`` design variables and ``u`` units (float64), the
    three arrays :func:`analyse` keeps; tables and copies add less than these.
    """
    return 8 * design_size(spec) * (int(design.problem["num_vars"]) + 2 * n_units)


def physical_memory() -> int | None:
    """Bytes of physical memory of this machine, or None where the system does not say."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return None


def check_memory(spec: SensitivitySpec, design: Design, *, n_units: int, share: float = 0.5) -> None:
    """Refuse, before allocating, a design needing more than ``share`` of the physical memory."""
    need = memory_needed(spec, design, n_units)
    have = physical_memory()
    if have is not None and need > share * have:
        raise SpecError(
            f"runs = {spec.runs:,} means {design_size(spec):,} model runs, which need about "
            f"{need / 2**30:,.1f} GiB of memory for the design and the scores; this machine has "
            f"{have / 2**30:,.1f} GiB (at most half is used): choose fewer runs "
            f"(at most about {int(share * have / (need / spec.runs)):,})",
            key="sensitivity.runs")


def analyse(
    nominal: Any,
    spec: SensitivitySpec,
    *,
    progress: Callable[[int], None] | None = None,
) -> SensitivityResult:
    """Run the whole analysis on a nominal build; see the module docstring."""
    t0 = time.perf_counter()
    if not hasattr(nominal, "stages"):
        raise SpecError("sensitivity analysis needs a single-period build; set [data] period to one period.",
                        key="data.period")
    target = spec.target or top_code(nominal.meta)
    agg = nominal.stages["aggregated"]
    if target not in agg.columns:
        raise SpecError(f"target '{target}' is not an aggregate of this build; use one of "
                        f"{', '.join(framework(nominal.meta).query('Level > 1')['iCode'])}.", key="sensitivity.target")
    design = make_design(spec, nominal.meta)
    check_memory(spec, design, n_units=len(agg.index))
    X = sample(design, spec)
    t1 = time.perf_counter()
    scores = evaluate(nominal, spec, design, X, target, progress=progress)
    t2 = time.perf_counter()
    nominal_scores = agg[target].to_numpy(dtype=float)
    nominal_rank = rank_rows(nominal_scores)[0]
    ranks = rank_rows(scores)
    with np.errstate(invalid="ignore"):
        shift = np.nanmean(np.abs(ranks - nominal_rank), axis=1)
    if np.isnan(shift).any():
        raise DataError(f"{int(np.isnan(shift).sum())} runs gave no ranks for '{target}'.", reason="empty_run")
    d = len(spec.factors)
    block = d + 2
    ab = np.sort(np.concatenate([np.arange(0, X.shape[0], block), np.arange(block - 1, X.shape[0], block)]))
    intervals = _rank_intervals(nominal, target, nominal_scores, nominal_rank, scores[ab], ranks[ab])
    si = sobol_indices(design.problem, shift, bootstrap=spec.bootstrap, confidence=spec.confidence,
                       seed=derived_seeds(spec.seed)[1])
    sobol = _sobol_table(spec, si, float(np.var(shift)))
    runs = _runs_table(spec, design, X, shift, block)
    t3 = time.perf_counter()
    return SensitivityResult(intervals, sobol, runs, scores, ranks, X, spec, target,
                             {"design": t1 - t0, "evaluate": t2 - t1, "analyse": t3 - t2, "total": t3 - t0,
                              "n_runs": float(X.shape[0])})


def _rank_intervals(nominal: Any, target: str, nominal_scores: np.ndarray, nominal_rank: np.ndarray,
                    scores: np.ndarray, ranks: np.ndarray) -> pd.DataFrame:
    agg = nominal.stages["aggregated"]
    names = getattr(nominal, "units", None)
    uname = (names["uName"].reindex(agg.index).to_numpy() if names is not None and "uName" in names.columns
             else np.array([None] * len(agg.index)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.nanquantile(ranks, [0.05, 0.5, 0.95], axis=0)
        sq = np.nanquantile(scores, [0.05, 0.95], axis=0)
        out = pd.DataFrame({
            "uCode": agg.index.astype(str), "uName": uname, "target": target,
            "nominal_score": nominal_scores, "nominal_rank": nominal_rank,
            "mean_rank": np.nanmean(ranks, axis=0), "median_rank": q[1],
            "rank_q05": q[0], "rank_q95": q[2], "rank_interval_width": q[2] - q[0],
            "mean_score": np.nanmean(scores, axis=0), "score_q05": sq[0], "score_q95": sq[1],
            "n_runs": np.sum(~np.isnan(ranks), axis=0),
        })
    return out.sort_values(["nominal_rank", "uCode"], kind="stable").reset_index(drop=True)


def _sobol_table(spec: SensitivitySpec, si: Mapping[str, np.ndarray], variance: float) -> pd.DataFrame:
    rows = []
    for i, f in enumerate(spec.factors):
        desc = (f"weights at level(s) {', '.join(map(str, f.levels))} x U({1 - f.noise:g}, {1 + f.noise:g})"
                if f.kind == "weights" else f"[{f.step}]{'.' + f.key if f.key else ''} in "
                + " | ".join(f.label(k) for k in range(len(f.values))))
        s1, s1c, st, stc = (float(si[k][i]) for k in ("S1", "S1_conf", "ST", "ST_conf"))
        rows.append({"factor": f.name, "kind": f.kind, "description": desc, "S1": s1,
                     "S1_ci_low": s1 - s1c, "S1_ci_high": s1 + s1c, "ST": st,
                     "ST_ci_low": st - stc, "ST_ci_high": st + stc, "confidence": spec.confidence,
                     "output": "mean_abs_rank_shift", "output_variance": variance})
    return pd.DataFrame(rows)


def _runs_table(spec: SensitivitySpec, design: Design, X: np.ndarray, shift: np.ndarray, block: int) -> pd.DataFrame:
    role = np.array(["A"] + [f"AB_{f.name}" for f in spec.factors] + ["B"])
    out = {"run": np.arange(1, X.shape[0] + 1), "matrix": role[np.arange(X.shape[0]) % block]}
    idx = choice_indices(design, spec, X)
    m = 0
    for i, f in enumerate(spec.factors):
        cols = [j for j, fi in enumerate(design.factor_of_var) if fi == i]
        if f.kind == "choice":
            out[f.name] = [f.label(int(k)) for k in idx[:, m]]
            m += 1
        else:
            out[f"{f.name}_mean_multiplier"] = X[:, cols].mean(axis=1)
    out["mean_abs_rank_shift"] = shift
    return pd.DataFrame(out)


def write_sensitivity(result: SensitivityResult, out_dir: str | os.PathLike) -> dict[str, str]:
    """Write ``sensitivity/rank_intervals.csv``, ``sobol.csv`` and ``runs.csv``; return their paths."""
    out = Path(out_dir)
    write_csv(result.rank_intervals, out / SENSITIVITY_TABLES["rank_intervals"])
    write_csv(result.sobol, out / SENSITIVITY_TABLES["sobol"])
    write_csv(result.runs, out / SENSITIVITY_TABLES["sensitivity_runs"])
    return dict(SENSITIVITY_TABLES)
