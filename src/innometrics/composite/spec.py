"""The declarative index spec (TOML): which data, which steps, which methods.

Each step is a TOML table; a step runs when its table is present (and
``enabled`` is not false), in the order ``denominate, impute, screen, treat,
normalise, aggregate``. Unknown keys and invalid values raise
:class:`~innometrics.errors.SpecError` naming the file, the dotted key and the
allowed values. Relative paths resolve against the spec file's folder.

Example (COINr's example build of the ASEM index)::

    [data]
    indicators = "ASEM_iData.csv"
    meta = "ASEM_iMeta.csv"
    [denominate]
    [impute]
    method = "mean_group"
    group = "EurAsia_group"
    [screen]
    min_availability = 0.9
    [treat]
    winsorise_max = 5
    [normalise]
    method = "minmax"
    range = [0, 100]
    [aggregate]
    method = "arithmetic"
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from innometrics.errors import SpecError
from innometrics.io.specfiles import read_spec_source

#: Steps in the order they run, and the stage each one produces.
STEPS = ("denominate", "impute", "screen", "treat", "normalise", "aggregate")
STAGE_OF_STEP = {
    "denominate": "denominated",
    "impute": "imputed",
    "screen": "screened",
    "treat": "treated",
    "normalise": "normalised",
    "aggregate": "aggregated",
}

ImputeMethod = Literal["none", "mean", "median", "mean_group", "median_group", "panel"]
PanelImputeType = Literal["latest", "constant", "linear", "linear-constant"]
NormaliseMethod = Literal[
    "minmax", "zscore", "rank", "prank", "dist2max", "dist2ref", "dist2targ", "goalposts", "fracmax", "borda", "index", "scaled"
]
AggregateMethod = Literal["arithmetic", "geometric", "harmonic", "generalised", "copeland", "bod", "mpi"]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class DataSection(_Section):
    """``[data]``: indicator data and metadata files, and which period of a panel to build.

    ``indicators`` is COINr's wide iData or our long panel (``unit, period, indicator,
    value``); ``meta`` is COINr's iMeta or our indicator metadata; ``units`` optional
    unit metadata whose extra columns are groups; ``exclude`` indicator codes to leave
    out (COINr ``new_coin(exclude = ...)``).
    """

    indicators: Path
    meta: Path
    units: Path | None = None
    period: int | float | Literal["all"] | None = None
    exclude: list[str] = Field(default_factory=list)


class DenominateSection(_Section):
    """``[denominate]``: divide by iMeta's Denominator column (COINr ``Denominate``)."""

    enabled: bool = True
    scale_factors: dict[str, float] = Field(default_factory=dict)


class ImputeSection(_Section):
    """``[impute]``: fill missing values (COINr ``Impute``, column by column).

    ``method = "panel"`` fills each unit's time series from its other periods across
    the whole panel (COINr ``Impute.purse`` with ``f_i = "impute_panel"``): ``type``
    ``latest`` (default), ``constant``, ``linear`` or ``linear-constant``; ``max_time``
    the number of periods ``latest`` may look back.
    """

    enabled: bool = True
    method: ImputeMethod = "mean"
    group: str | None = None
    type: PanelImputeType | None = None
    max_time: int | None = Field(None, ge=1)

    @model_validator(mode="after")
    def _group_needed(self):
        if self.method != "panel" and (self.type is not None or self.max_time is not None):
            raise ValueError("'type' and 'max_time' are only used by method = \"panel\"")
        if self.method.endswith("_group") and not self.group:
            raise ValueError(f"method '{self.method}' needs 'group' (a group column of iData, e.g. \"EurAsia_group\")")
        if self.group and not self.method.endswith("_group"):
            raise ValueError(f"'group' is only used by mean_group and median_group, not by '{self.method}'")
        return self


class ScreenSection(_Section):
    """``[screen]``: drop units with too little data (COINr ``Screen``)."""

    enabled: bool = True
    min_availability: float = Field(2 / 3, ge=0, le=1)
    min_nonzero: float = Field(0.05, ge=0, le=1)
    by: Literal["missing", "zeros", "missing_and_zeros"] = "missing"
    force_include: list[str] = Field(default_factory=list)
    force_exclude: list[str] = Field(default_factory=list)


class TreatSection(_Section):
    """``[treat]``: Winsorisation with a log fallback (COINr ``Treat`` defaults)."""

    enabled: bool = True
    winsorise_max: int | Literal["unlimited"] = 5
    skew_threshold: float = Field(2.0, gt=0)
    kurtosis_threshold: float = 3.5
    fallback: Literal["log_ct", "none"] = "log_ct"
    force_winsorise: bool = False
    combine: bool = False
    skip: list[str] = Field(default_factory=list)

    @field_validator("winsorise_max")
    @classmethod
    def _nonneg(cls, v):
        if isinstance(v, int) and v < 0:
            raise ValueError("must be an integer >= 0 or \"unlimited\"")
        return v

    @model_validator(mode="after")
    def _force_needs_a_limit(self):
        # COINr's winsorise(force_win = TRUE, winmax = NULL) never leaves its loop
        if self.force_winsorise and self.winsorise_max == "unlimited":
            raise ValueError("force_winsorise = true needs a number for winsorise_max (with \"unlimited\" it would never stop)")
        return self


_NORMALISE_PARAM_KEYS = (
    "range", "mean_sd", "target", "cap_max", "reference", "goalposts", "trunc2posts", "base_period", "base", "bounds", "scale_factor",
)


class NormaliseSection(_Section):
    """``[normalise]``: bring indicators onto a common scale (COINr ``Normalise``)."""

    enabled: bool = True
    method: NormaliseMethod = "minmax"
    range: tuple[float, float] | Literal["meta"] | None = None
    mean_sd: tuple[float, float] | Literal["meta"] | None = None
    bounds: tuple[float, float] | Literal["meta"] | None = None
    scale_factor: float | None = None
    target: float | Literal["meta"] | None = None
    cap_max: bool | None = None
    reference: str | None = None
    goalposts: tuple[float, float, float] | Literal["meta"] | None = None
    trunc2posts: bool | None = None
    base_period: int | float | None = None
    base: str | None = Field(None, pattern=r"^unit:.+")
    use_directions: bool = True
    global_: bool = Field(True, alias="global")
    individual: dict[str, dict[str, Any]] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _keys_fit_method(self):
        from innometrics.composite.normalise import allowed_settings

        allowed = set(allowed_settings(self.method))
        for key in _NORMALISE_PARAM_KEYS:
            if getattr(self, key) is not None and key not in allowed:
                takes = ", ".join(sorted(allowed)) or "no parameters"
                raise ValueError(f"'{key}' is not used by method '{self.method}' ({self.method} takes: {takes})")
        if self.range not in (None, "meta") and not self.range[0] < self.range[1]:
            raise ValueError(f"'range' must be [lower, upper] with lower < upper. Got {list(self.range)}")
        if self.bounds not in (None, "meta") and not self.bounds[0] < self.bounds[1]:
            raise ValueError(f"'bounds' must be [lower, upper] with lower < upper. Got {list(self.bounds)}")
        if self.mean_sd not in (None, "meta") and not self.mean_sd[1] > 0:
            raise ValueError(f"'mean_sd' must be [mean, sd] with sd > 0. Got {list(self.mean_sd)}")
        if self.method == "index" and self.base_period is None and self.base is None:
            raise ValueError("method 'index' needs 'base_period' (e.g. 2010) and/or 'base' = \"unit:<uCode>\"")
        if self.method == "dist2ref" and not self.reference:
            raise ValueError("method 'dist2ref' needs 'reference' = the uCode of the reference unit")
        for code, sub in self.individual.items():
            if not isinstance(sub, dict) or set(sub) - {"method", *_NORMALISE_PARAM_KEYS}:
                extra = sorted(set(sub) - {"method", *_NORMALISE_PARAM_KEYS}) if isinstance(sub, dict) else sub
                raise ValueError(
                    f"individual.{code} must be a table with 'method' and its parameters "
                    f"({', '.join(_NORMALISE_PARAM_KEYS)}); unexpected: {extra}"
                )
            try:
                NormaliseSection.model_validate(sub)
            except ValidationError as exc:
                raise ValueError(f"individual.{code}: {exc.errors()[0]['msg'].removeprefix('Value error, ')}") from None
        return self


class AggregateSection(_Section):
    """``[aggregate]``: combine children into parents, level by level (COINr ``Aggregate``)."""

    enabled: bool = True
    method: AggregateMethod | list[AggregateMethod] = "arithmetic"
    p: float | list[float] | None = None
    penalty: Literal["positive", "negative"] | None = None
    min_availability: float | None = Field(None, ge=0, le=1)

    @model_validator(mode="after")
    def _p_fits(self):
        methods = self.method if isinstance(self.method, list) else [self.method]
        if self.p is not None and "generalised" not in methods:
            raise ValueError("'p' is only used by method 'generalised'")
        if self.penalty is not None and "mpi" not in methods:
            raise ValueError("'penalty' is only used by method 'mpi'")
        ps = self.p if isinstance(self.p, list) else [self.p]
        if any(v == 0 for v in ps if v is not None):
            raise ValueError("'p' must not be 0 (that limit is the geometric mean: use method = \"geometric\")")
        return self


class WeightingSection(_Section):
    """``[weighting]``: weights of one level derived from the data, then the index rebuilt with them.

    ``method = "pca"``: loadings of the first principal component within each group
    (COINr ``get_PCA`` weights, from ``stage``); ``method = "optimised"``: weights whose
    correlations with the index match ``targets`` (COINr ``get_opt_weights``).
    """

    method: Literal["pca", "optimised"]
    level: int = Field(1, ge=1)
    stage: str = "normalised"
    by_groups: bool = True
    targets: list[float] | Literal["equal"] = "equal"
    correlation: Literal["pearson", "spearman", "kendall"] = "pearson"
    goal: Literal["balance", "infomax"] = "balance"

    @model_validator(mode="after")
    def _keys_fit_method(self):
        if self.method == "pca" and (self.targets != "equal" or self.goal != "balance" or self.correlation != "pearson"):
            raise ValueError("'targets', 'goal' and 'correlation' are used by method 'optimised', not 'pca'")
        if self.method == "optimised" and (self.stage != "normalised" or not self.by_groups):
            raise ValueError("'stage' and 'by_groups' are used by method 'pca', not 'optimised'")
        return self


class IndexSpec(_Section):
    """A validated index spec; build it with :func:`load_spec` or :meth:`from_dict`."""

    data: DataSection
    denominate: DenominateSection | None = None
    impute: ImputeSection | None = None
    screen: ScreenSection | None = None
    treat: TreatSection | None = None
    normalise: NormaliseSection | None = None
    aggregate: AggregateSection | None = None
    weights: dict[str, float] = Field(default_factory=dict)
    weighting: WeightingSection | None = None
    audit: dict[str, Any] | None = None
    sensitivity: dict[str, Any] | None = None
    source: Path | None = Field(None, exclude=True)
    text: str | None = Field(None, exclude=True)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], *, base_dir: str | os.PathLike | None = None, source: Any = None, text: str | None = None) -> IndexSpec:
        """Validate a spec dict; relative data paths resolve against ``base_dir`` (default: cwd)."""
        if not isinstance(raw, dict):
            raise SpecError(f"a spec must be a table of sections. Got {type(raw).__name__}.", file=source)
        base = Path(base_dir) if base_dir is not None else Path.cwd()
        raw = {k: dict(v) if isinstance(v, dict) else v for k, v in raw.items()}
        if "data" not in raw:
            raise SpecError("the [data] section is missing; it needs 'indicators' and 'meta' file paths.", file=source, key="data")
        for key in ("indicators", "meta", "units"):
            value = raw["data"].get(key) if isinstance(raw["data"], dict) else None
            if isinstance(value, str):
                p = Path(value)
                raw["data"][key] = str(p if p.is_absolute() else (base / p).resolve())
        for step in STEPS:
            if raw.get(step) is False:
                raw.pop(step)
        try:
            return cls.model_validate({**raw, "source": source, "text": text})
        except ValidationError as exc:
            raise _spec_error(exc, source) from None

    def to_dict(self) -> dict[str, Any]:
        """The spec as plain data (TOML/JSON-ready); absent steps are left out."""
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    def steps(self) -> list[str]:
        """The steps that run, in order."""
        return [s for s in STEPS if getattr(self, s) is not None and getattr(self, s).enabled]

    def section(self, step: str) -> dict[str, Any]:
        """One step's settings as a plain dict (without ``enabled``)."""
        sec = getattr(self, step)
        if sec is None:
            return {}
        out = sec.model_dump(mode="json", by_alias=True, exclude_none=True)
        out.pop("enabled", None)
        return out


def _spec_error(exc: ValidationError, source: Any) -> SpecError:
    err = exc.errors()[0]
    # keep field names; drop list positions and pydantic's union-branch labels ("literal['all']", "int")
    loc = [
        str(x) for x in err["loc"]
        if not isinstance(x, int) and not any(ch in str(x) for ch in "[(") and str(x) not in {"int", "float", "str", "bool"}
    ]
    key = ".".join(loc) or None
    kind = err["type"]
    if key in _UNION_HINTS:
        return SpecError(f"must be {_UNION_HINTS[key]}. Got {_input_at(exc, loc)!r}.", file=source, key=key)
    if kind == "extra_forbidden":
        section = loc[0] if len(loc) > 1 else None
        model = IndexSpec if section is None else IndexSpec.model_fields[section].annotation
        model = getattr(model, "__args__", (model,))[0] if section else model
        allowed = sorted(f.alias or n for n, f in model.model_fields.items() if n not in ("source", "text"))
        return SpecError(f"unknown key '{loc[-1]}'. Allowed keys here: {', '.join(allowed)}.", file=source, key=key)
    if kind == "missing":
        return SpecError(f"required key '{loc[-1]}' is missing.", file=source, key=key)
    msg = err["msg"].removeprefix("Value error, ")
    if len(loc) <= 1:  # a whole-section check: the message names the keys
        return SpecError(f"{msg}.", file=source, key=key)
    return SpecError(f"{msg}. Got {err.get('input')!r}.", file=source, key=key)


#: Readable expectations for keys that accept several forms.
_UNION_HINTS = {
    "data.period": 'a period such as 2018, or "all" for every period',
    "treat.winsorise_max": 'an integer >= 0, or "unlimited"',
    "normalise.goalposts": '[lower, upper, scale], or "meta" to read goalpost_* columns of iMeta',
    "normalise.target": 'a number, or "meta" to read the Target column of iMeta',
    "normalise.range": "[lower, upper] with lower < upper, or \"meta\" (iMeta minmax_lower, minmax_upper)",
    "normalise.mean_sd": "[mean, sd] with sd > 0, or \"meta\" (iMeta zscore_mean, zscore_sd)",
    "normalise.bounds": "[lower, upper] with lower < upper, or \"meta\" (iMeta scaled_lower, scaled_upper)",
    "normalise.base": '"unit:<uCode>", the unit every unit is indexed on',
    "normalise.base_period": "a period of the data, such as 2010",
    "aggregate.method": "one of 'arithmetic', 'geometric', 'harmonic', 'generalised', 'copeland', 'bod', 'mpi', or a list of them (one per level)",
    "aggregate.p": "a non-zero number, or a list of them (one per level)",
}


def _input_at(exc: ValidationError, loc: list[str]) -> Any:
    """The user's value at ``loc`` (the first error's input may be a fragment of it)."""
    for err in exc.errors():
        names = [str(x) for x in err["loc"] if not isinstance(x, int)]
        if names[: len(loc)] == loc and len([x for x in err["loc"]]) == len(loc):
            return err.get("input")
    return exc.errors()[0].get("input")


def load_spec(path: str | os.PathLike) -> IndexSpec:
    """Read and validate a TOML spec; relative paths resolve against its folder."""
    src = read_spec_source(path)
    return IndexSpec.from_dict(src.data, base_dir=src.base, source=Path(path), text=src.text)
