"""Weights: the iMeta ``Weight`` column with spec overrides, in COINr's layout.

Weights are relative within each aggregation group: aggregation rescales the
weights of the children present in a row to sum to 1 (COINr ``a_amean`` and
friends), so ``Sust = 3`` next to ``Conn = 1`` makes Sustainability count 3/4.

Reference: COINr 1.1.14, ``R/weights.R`` and the ``Weight`` column of iMeta.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pandas as pd

from innometrics.errors import SpecError


def apply_weights(meta: pd.DataFrame, overrides: Mapping[str, Any], *, file: Any = None) -> pd.DataFrame:
    """Return a copy of ``meta`` with ``Weight`` replaced for the codes in ``overrides``.

    Codes must be indicators or aggregates; weights must be finite numbers >= 0.
    """
    out = meta.copy()
    weighted = out["Type"].isin(["Indicator", "Aggregate"])
    codes = set(out.loc[weighted, "iCode"].astype(str))
    for code, value in overrides.items():
        if code not in codes:
            sample = ", ".join(sorted(codes)[:12])
            raise SpecError(
                f"'{code}' is not an indicator or aggregate code; weights can be set for: {sample}, ...",
                file=file,
                key=f"weights.{code}",
            )
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
            raise SpecError(f"a weight must be a number >= 0. Got {value!r}.", file=file, key=f"weights.{code}")
        out.loc[out["iCode"] == code, "Weight"] = float(value)
    return out


def weights_table(meta: pd.DataFrame) -> pd.DataFrame:
    """COINr's weights layout: ``iCode, Level, Weight`` for indicators and aggregates.

    Rows follow COINr's iMeta order (sorted by ``Level`` then ``Parent``).
    """
    ia = meta[meta["Type"].isin(["Indicator", "Aggregate"])]
    ia = ia.sort_values(["Level", "Parent"], kind="stable", na_position="last")
    out = ia[["iCode", "Level", "Weight"]].reset_index(drop=True)
    out["Level"] = out["Level"].astype(int)
    out["Weight"] = out["Weight"].astype(float)
    return out
