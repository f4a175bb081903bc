"""Unit screening by data availability and zeros (COINr ``Screen``).

A unit's data availability is the share of its indicators that are not missing;
its non-zero share is the share of its *observed* indicators that are not zero.
Units below ``min_availability`` (COINr ``dat_thresh``, default 2/3) and/or below
``min_nonzero`` (``nonzero_thresh``, default 0.05) are removed, depending on ``by``
(COINr ``unit_screen``: ``byNA``, ``byzeros``, ``byNAandzeros``). ``force_include``
and ``force_exclude`` override the rule for named units.

Reference: COINr 1.1.14, ``R/screen_units.R`` (``Screen.data.frame``,
``get_data_avail.data.frame``).

The rules are registered methods of the ``screen`` family (``by`` in the spec): each takes
the availability summary and returns which units pass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from innometrics.errors import SpecError
from innometrics.registry import get_method, method_names, register

#: ``by`` values and COINr's ``unit_screen`` names.
SCREEN_RULES = {"missing": "byNA", "zeros": "byzeros", "missing_and_zeros": "byNAandzeros"}


@register("screen", "missing")
def by_missing(summary: pd.DataFrame) -> pd.Series:
    """COINr ``byNA``: a unit passes when ``Dat_Avail >= min_availability`` (not ``LowData``).

    >>> by_missing(pd.DataFrame({"LowData": [True, False], "LowNonZero": [False, True]})).tolist()
    [False, True]
    """
    return ~summary["LowData"]


@register("screen", "zeros")
def by_zeros(summary: pd.DataFrame) -> pd.Series:
    """COINr ``byzeros``: a unit passes when ``Non_Zero >= min_nonzero`` (not ``LowNonZero``).

    >>> by_zeros(pd.DataFrame({"LowData": [True, False], "LowNonZero": [False, True]})).tolist()
    [True, False]
    """
    return ~summary["LowNonZero"]


@register("screen", "missing_and_zeros")
def by_missing_and_zeros(summary: pd.DataFrame) -> pd.Series:
    """COINr ``byNAandzeros``: a unit passes only when it is neither ``LowData`` nor ``LowNonZero``.

    >>> by_missing_and_zeros(pd.DataFrame({"LowData": [True, False, False], "LowNonZero": [False, True, False]})).tolist()
    [False, False, True]
    """
    return ~(summary["LowData"] | summary["LowNonZero"])


def data_availability(data: pd.DataFrame) -> pd.DataFrame:
    """Per unit: ``N_missing, N_zero, Dat_Avail, Non_Zero`` (COINr ``get_data_avail``).

    .. math:: Dat\\_Avail = 1 - n_{NA} / n, \\qquad Non\\_Zero = 1 - n_0 / (n - n_{NA})
    """
    values = data.to_numpy(dtype=float)
    n = values.shape[1]
    n_missing = np.isnan(values).sum(axis=1)
    n_zero = (values == 0).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        non_zero = 1 - n_zero / (n - n_missing)
    return pd.DataFrame(
        {"N_missing": n_missing, "N_zero": n_zero, "Dat_Avail": 1 - n_missing / n, "Non_Zero": non_zero},
        index=data.index,
    )


def screen_units(
    data: pd.DataFrame, settings: Mapping[str, Any], *, file: Any = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Keep the units that pass the screening rule; return the kept rows and the summary table.

    The summary has one row per unit with the availability figures, ``LowData``,
    ``LowNonZero`` and ``Included``.
    """
    by = settings.get("by", "missing")
    if by not in method_names("screen"):
        raise SpecError(f"by must be one of {', '.join(method_names('screen'))}. Got {by!r}.", file=file,
                        key="screen.by")
    dat_thresh = float(settings.get("min_availability", 2 / 3))
    nonzero_thresh = float(settings.get("min_nonzero", 0.05))
    summary = data_availability(data)
    summary["LowData"] = summary["Dat_Avail"] < dat_thresh
    summary["LowNonZero"] = summary["Non_Zero"] < nonzero_thresh
    included = get_method("screen", by)(summary)
    for key, flag in (("force_include", True), ("force_exclude", False)):
        codes = list(settings.get(key, []) or [])
        unknown = [c for c in codes if c not in data.index]
        if unknown:
            raise SpecError(f"{key} names units that are not in the data: {', '.join(unknown)}.", file=file, key=f"screen.{key}")
        included[codes] = flag
    summary["Included"] = included.astype(bool)
    return data.loc[summary["Included"].to_numpy()].copy(), summary
