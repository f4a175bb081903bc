"""The results of an index build: one period (:class:`IndexBuild`) or a panel (:class:`PanelBuild`).

Plain data holders shared by the pipeline that makes them, the writer that stores them
(:mod:`innometrics.composite.outputs`), the audit, the sensitivity analysis and the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from innometrics.composite.spec import IndexSpec
from innometrics.io.coinr import CoinrData


@dataclass(frozen=True)
class IndexBuild:
    """One built index (one period).

    Attributes
    ----------
    spec : IndexSpec
    stages : dict of str to DataFrame
        ``raw, denominated, imputed, screened, treated, normalised, aggregated`` (those
        that ran, in order); index ``uCode``, one float column per code.
    meta : DataFrame
        iMeta (COINr layout) after the spec's weight overrides.
    units : DataFrame
        Index ``uCode``; ``uName`` and the group columns.
    denominators : DataFrame
        Index ``uCode``; the denominator columns of iData.
    results : DataFrame
        ``uCode, uName, Rank`` and the score of every aggregate (top level first),
        sorted by rank.
    log : list of dict
        One record per step: ``step, method, params, details``.
    period : optional
        The ``Time`` value built, for panels.
    screening : DataFrame, optional
        Data availability per unit and whether it was kept.
    """

    spec: IndexSpec
    stages: dict[str, pd.DataFrame]
    meta: pd.DataFrame
    units: pd.DataFrame
    denominators: pd.DataFrame
    results: pd.DataFrame
    log: list[dict[str, Any]]
    period: Any = None
    inputs: CoinrData | None = field(default=None, repr=False)
    screening: pd.DataFrame | None = None

    @property
    def rejected(self) -> list[str]:
        """Units removed by screening."""
        if self.screening is None:
            return []
        return [str(u) for u in self.screening.index[~self.screening["Included"]]]

    def __repr__(self) -> str:
        return _build_summary(self, "IndexBuild")


@dataclass(frozen=True)
class PanelBuild:
    """Every period of a panel (COINr's purse): one :class:`IndexBuild` per period.

    ``results`` stacks the periods' results with a ``Time`` column.
    """

    spec: IndexSpec
    builds: dict[Any, IndexBuild]
    results: pd.DataFrame
    log: list[dict[str, Any]]

    def __repr__(self) -> str:
        periods = list(self.builds)
        span = f"{periods[0]}-{periods[-1]}" if periods else "no period"
        return f"<PanelBuild {len(periods)} periods ({span}), {len(self.results)} unit-period rows>"


def _build_summary(build: "IndexBuild", kind: str) -> str:
    """A short, readable description for notebooks: size, steps and the top units."""
    n_ind = int((build.meta["Type"] == "Indicator").sum()) if "Type" in build.meta else len(build.meta)
    top_code = build.meta.loc[build.meta["Level"] == build.meta["Level"].max(), "iCode"].iloc[0]
    head = build.results.head(3)
    top = ", ".join(f"{r['uCode']} {r[top_code]:.2f}" for _, r in head.iterrows()) if top_code in head else ""
    period = "" if build.period is None else f", period {build.period}"
    return (f"<{kind} {len(build.results)} units x {n_ind} indicators{period}; "
            f"stages: {', '.join(build.stages)}; screened out: {len(build.rejected)}; top {top_code}: {top}>")
