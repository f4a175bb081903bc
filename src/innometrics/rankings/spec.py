"""The TOML spec of a ranking build (``innometrics rank build SPEC``).

.. code-block:: toml

    [records]
    path = "savedrecs.txt"
    format = "wos"              # wos | wos_tab | scopus | openalex | tables (auto if omitted)

    [count]
    method = "fractional"       # full | fractional | first_author | corresponding_author
    levels = ["country", "institution", "metro"]
    years = [2015, 2024]        # optional: a window (inclusive) or one year
    windows = [[2015, 2018], [2019, 2022]]   # optional extra windows
    weight_column = "weight"    # optional: column giving each record's weight
    weights_file = "w.csv"      # optional: record_id + weight_column, replacing records.weight
    top_proportion = 0.10       # PP(top x%)

    [groupings.metro]           # a user level: a base level mapped to groups
    from = "city"
    file = "metro.csv"          # columns unit, group[, group_name]
    unmapped = "keep"           # keep | other

    [institutions]              # optional: institutions resolved to ROR organisations
    registry = "ror-v2.json.gz" # a ROR schema-v2 dump (.json, .json.gz or .zip)
    rollup = "none"             # none | parent | top: credit moves up ROR's parent links
    cache_dir = "cache"         # optional: where the registry's Parquet cache goes

    [stability]                 # optional: Leiden stability intervals
    resamples = 1000
    seed = 42
    coverage = 0.95

    [patents]                   # patents (format espacenet | lens | patentsview | patstat)
    by = "inventor"             # inventor | applicant
    family = "simple"           # none | simple | extended (each family once, at its earliest date)
    date = "priority"           # priority | filing | publication | grant
    growth_window = [2005, 2014]          # optional: growth multiple and CAGR in fields.csv
    population_file = "population.csv"    # optional: unit,year,population -> per_million.csv

With ``[patents]`` (or a patent format) the levels are ``country``, ``city``,
``applicant`` (harmonised applicant names), ``field`` (WIPO's 35 technology fields)
and ``sector`` (its 5 sectors), and the build also writes ``fields.csv`` (unit x field
counts, shares, RTA) when ``field`` and another level are counted.

Relative paths are resolved against the spec file's folder. Unknown keys are errors.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from innometrics.errors import SpecError
from innometrics.io.specfiles import astuple_source, read_spec_source
from innometrics.rankings.credits import BASE_LEVELS
from innometrics.rankings.counting import COUNT_METHODS  # importing counting registers its methods
from innometrics.rankings.patents import DATES, FAMILIES, PATENT_LEVELS, ROLES, PatentOptions
from innometrics.registry import method_names

FORMATS = ("wos", "wos_tab", "scopus", "openalex", "tables", "espacenet", "lens", "patentsview", "patstat")
PATENT_FORMATS = ("espacenet", "lens", "patentsview", "patstat")
_ALLOWED = {
    "patents": {"by", "family", "date", "growth_window", "population_file"},
    "records": {"path", "format", "allow_missing_affiliations"},
    "count": {"method", "levels", "years", "windows", "weight_column", "weights_file", "top_proportion"},
    "stability": {"resamples", "seed", "coverage"},
    "institutions": {"registry", "rollup", "cache_dir"},
}
ROLLUPS = ("none", "parent", "top")


@dataclass(frozen=True)
class GroupingSpec:
    name: str
    base: str
    file: str
    unmapped: str = "keep"


@dataclass(frozen=True)
class InstitutionsSpec:
    """``[institutions]``: the ROR registry the institution level resolves to, and the roll-up."""

    registry: str
    rollup: str = "none"
    cache_dir: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = {"registry": self.registry, "rollup": self.rollup}
        if self.cache_dir:
            d["cache_dir"] = self.cache_dir
        return d


def institutions_spec(sec: Any, file: Any, resolve) -> InstitutionsSpec | None:
    """Validate an ``[institutions]`` table (shared by rank and views specs)."""
    if sec is None:
        return None
    if not isinstance(sec, dict):
        raise SpecError("must be a table", file=file, key="institutions")
    extra = set(sec) - {"registry", "rollup", "cache_dir"}
    if extra:
        raise SpecError(f"unknown key(s) {sorted(extra)}; allowed: cache_dir, registry, rollup", file=file,
                        key=f"institutions.{sorted(extra)[0]}")
    if not isinstance(sec.get("registry"), str) or not sec["registry"]:
        raise SpecError("missing; give the ROR data dump (.json, .json.gz or .zip)", file=file,
                        key="institutions.registry")
    rollup = sec.get("rollup", "none")
    if rollup not in ROLLUPS:
        raise SpecError(f"must be one of {', '.join(ROLLUPS)}; got {rollup!r}", file=file, key="institutions.rollup")
    return InstitutionsSpec(registry=resolve(sec["registry"]), rollup=rollup,
                            cache_dir=resolve(sec["cache_dir"]) if sec.get("cache_dir") else None)


@dataclass(frozen=True)
class RankSpec:
    """A validated ranking spec (see the module docstring)."""

    records_path: str | None
    records_format: str | None = None
    allow_missing_affiliations: bool = False
    method: str = "fractional"
    levels: tuple[str, ...] = ("country", "institution")
    years: tuple[int, int] | None = None
    windows: tuple[tuple[int, int], ...] = ()
    weight_column: str = "weight"
    weights_file: str | None = None
    top_proportion: float = 0.10
    groupings: tuple[GroupingSpec, ...] = ()
    institutions: InstitutionsSpec | None = None
    resamples: int = 0
    seed: int = 0
    coverage: float = 0.95
    patents: PatentOptions | None = None
    file: str | None = None
    text: str | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """The spec as the nested TOML structure (for manifests and replay)."""
        d: dict[str, Any] = {"records": {"path": self.records_path}}
        if self.records_format:
            d["records"]["format"] = self.records_format
        if self.allow_missing_affiliations:
            d["records"]["allow_missing_affiliations"] = True
        count: dict[str, Any] = {"method": self.method, "levels": list(self.levels),
                                 "weight_column": self.weight_column, "top_proportion": self.top_proportion}
        if self.years is not None:
            count["years"] = list(self.years)
        if self.windows:
            count["windows"] = [list(w) for w in self.windows]
        if self.weights_file:
            count["weights_file"] = self.weights_file
        d["count"] = count
        if self.groupings:
            d["groupings"] = {g.name: {"from": g.base, "file": g.file, "unmapped": g.unmapped} for g in self.groupings}
        if self.institutions is not None:
            d["institutions"] = self.institutions.to_dict()
        if self.resamples:
            d["stability"] = {"resamples": self.resamples, "seed": self.seed, "coverage": self.coverage}
        if self.patents is not None:
            p = self.patents
            d["patents"] = {"by": p.by, "family": p.family, "date": p.date}
            if p.growth_window:
                d["patents"]["growth_window"] = list(p.growth_window)
            if p.population_file:
                d["patents"]["population_file"] = p.population_file
        return d


def _flag(section: dict, key: str, file: Any) -> bool:
    """A true/false setting of ``[records]`` (default false)."""
    value = section.get(key, False)
    if not isinstance(value, bool):
        raise SpecError(f"must be true or false. Got {value!r}.", file=file, key=f"records.{key}")
    return value


def _years(value: Any, key: str, file: Any) -> tuple[int, int]:
    if isinstance(value, bool):
        raise SpecError(f"must be a year or [first, last]; got {value!r}", file=file, key=key)
    if isinstance(value, int):
        return (value, value)
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        first, last = value
        if first > last:
            raise SpecError(f"first year must not be after last year; got [{first}, {last}]", file=file, key=key)
        return (first, last)
    raise SpecError(f"must be a year (2020) or a window [first, last] of whole years; got {value!r}", file=file, key=key)


def load_spec(source: str | os.PathLike | dict) -> RankSpec:
    """Read and validate a ranking spec from a TOML file or a dict.

    Raises
    ------
    SpecError
        For unknown sections or keys, unknown methods, levels or formats, and bad values.
    """
    data, file, text, base = astuple_source(read_spec_source(source))

    unknown = set(data) - set(_ALLOWED) - {"groupings"}
    if unknown:
        raise SpecError(f"unknown section(s) {sorted(unknown)}; allowed: records, count, groupings, institutions, "
                        "stability, patents",
                        file=file, key=sorted(unknown)[0])
    for section, allowed in _ALLOWED.items():
        if section == "institutions":
            continue  # checked by institutions_spec
        sec = data.get(section, {})
        if not isinstance(sec, dict):
            raise SpecError("must be a table", file=file, key=section)
        extra = set(sec) - allowed
        if extra:
            raise SpecError(f"unknown key(s) {sorted(extra)}; allowed: {', '.join(sorted(allowed))}",
                            file=file, key=f"{section}.{sorted(extra)[0]}")

    def resolve(p: str | None) -> str | None:
        if p is None:
            return None
        return str(p) if Path(p).is_absolute() else str((base / p).resolve())

    records = data.get("records", {})
    if "path" not in records:
        raise SpecError("missing; give the records file (or folder of tables)", file=file, key="records.path")
    fmt = records.get("format")
    if fmt is not None and fmt not in FORMATS:
        raise SpecError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)} or omit it to auto-detect",
                        file=file, key="records.format")

    count = data.get("count", {})
    method = count.get("method", "fractional")
    if method not in set(COUNT_METHODS) | set(method_names("count")):
        raise SpecError(f"unknown counting method '{method}'; valid: {', '.join(method_names('count'))}",
                        file=file, key="count.method")

    patents = None
    if "patents" in data or fmt in PATENT_FORMATS:
        pt = data.get("patents", {})
        for key, allowed in (("by", ROLES), ("family", FAMILIES), ("date", DATES)):
            if key in pt and pt[key] not in allowed:
                raise SpecError(f"must be one of {', '.join(allowed)}; got {pt[key]!r}", file=file,
                                key=f"patents.{key}")
        patents = PatentOptions(
            by=pt.get("by", "inventor"), family=pt.get("family", "none"), date=pt.get("date", "priority"),
            growth_window=_years(pt["growth_window"], "patents.growth_window", file) if "growth_window" in pt else None,
            population_file=resolve(pt.get("population_file")),
        )
    base_levels = tuple(PATENT_LEVELS) if patents is not None else BASE_LEVELS

    groupings = []
    for name, g in (data.get("groupings") or {}).items():
        if not isinstance(g, dict) or set(g) - {"from", "file", "unmapped"} or not {"from", "file"} <= set(g):
            raise SpecError("a grouping needs 'from' (a base level) and 'file' (unit,group CSV), optional "
                            f"'unmapped'; got {g!r}", file=file, key=f"groupings.{name}")
        if g["from"] not in base_levels:
            raise SpecError(f"must be one of {', '.join(base_levels)}; got '{g['from']}'", file=file,
                            key=f"groupings.{name}.from")
        if g.get("unmapped", "keep") not in ("keep", "other"):
            raise SpecError(f"must be 'keep' or 'other'; got {g['unmapped']!r}", file=file, key=f"groupings.{name}.unmapped")
        if name in base_levels:
            raise SpecError(f"'{name}' is a base level; name the grouping differently", file=file, key=f"groupings.{name}")
        groupings.append(GroupingSpec(name=name, base=g["from"], file=resolve(g["file"]), unmapped=g.get("unmapped", "keep")))

    levels = count.get("levels", ["country", "institution"] if patents is None else ["country"])
    if isinstance(levels, str):
        levels = [levels]
    valid_levels = list(base_levels) + [g.name for g in groupings]
    if not isinstance(levels, list) or not levels:
        raise SpecError(f"must be a non-empty list of levels ({', '.join(valid_levels)})", file=file, key="count.levels")
    for lv in levels:
        if lv not in valid_levels:
            raise SpecError(f"unknown level '{lv}'; valid: {', '.join(valid_levels)} (declare groupings in "
                            f"[groupings.<name>])", file=file, key="count.levels")
    if len(set(levels)) != len(levels):
        raise SpecError(f"levels repeat: {levels}", file=file, key="count.levels")

    years = _years(count["years"], "count.years", file) if "years" in count else None
    windows = tuple(_years(w, "count.windows", file) for w in count.get("windows", []))
    top = count.get("top_proportion", 0.10)
    if isinstance(top, bool) or not isinstance(top, (int, float)) or not 0 < top < 1:
        raise SpecError(f"must be a number between 0 and 1 (0.1 = top 10 %); got {top!r}", file=file,
                        key="count.top_proportion")

    stab = data.get("stability")
    resamples, seed, coverage = 0, 0, 0.95
    if stab is not None:
        resamples = stab.get("resamples", 1000)
        seed = stab.get("seed", 0)
        coverage = stab.get("coverage", 0.95)
        if isinstance(resamples, bool) or not isinstance(resamples, int) or resamples < 1:
            raise SpecError(f"must be a positive whole number; got {resamples!r}", file=file, key="stability.resamples")
        if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
            raise SpecError(f"must be a non-negative whole number; got {seed!r}", file=file, key="stability.seed")
        if isinstance(coverage, bool) or not isinstance(coverage, (int, float)) or not 0 < coverage < 1:
            raise SpecError(f"must be between 0 and 1; got {coverage!r}", file=file, key="stability.coverage")

    institutions = institutions_spec(data.get("institutions"), file, resolve)
    if patents is not None and institutions is not None and institutions.rollup != "none":
        raise SpecError('patent applicants are matched to ROR without roll-up; set rollup = "none"', file=file,
                        key="institutions.rollup")

    return RankSpec(
        records_path=resolve(records["path"]),
        records_format=fmt,
        allow_missing_affiliations=_flag(records, "allow_missing_affiliations", file),
        method=method,
        levels=tuple(levels),
        years=years,
        windows=windows,
        weight_column=str(count.get("weight_column", "weight")),
        weights_file=resolve(count.get("weights_file")),
        top_proportion=float(top),
        groupings=tuple(groupings),
        institutions=institutions,
        resamples=int(resamples),
        seed=int(seed),
        coverage=float(coverage),
        patents=patents,
        file=file,
        text=text,
    )
