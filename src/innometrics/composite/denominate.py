"""Denomination: divide indicators by a scaling variable (COINr ``Denominate``).

Extensive indicators (e.g. trade in goods, in USD) become intensive ones (per unit of
GDP) by dividing them by the denominator named in iMeta's ``Denominator`` column:

.. math:: y_i = \\frac{x_i}{d_i / s}

where ``s`` is an optional scale factor (default 1), as in COINr's ``ScaleFactor``.

Reference: COINr 1.1.14, ``R/denominate.R`` (``Denominate.data.frame``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from innometrics.errors import DataError, SpecError


def denominate_frame(
    data: pd.DataFrame,
    denominators: pd.DataFrame,
    denominate_by: Mapping[str, str],
    *,
    scale_factors: Mapping[str, float] | None = None,
    file: Any = None,
) -> pd.DataFrame:
    """Divide each indicator in ``denominate_by`` by its denominator column.

    Parameters
    ----------
    data : DataFrame
        Units x indicators (index ``uCode``).
    denominators : DataFrame
        Units x denominator variables (index ``uCode``); every unit of ``data`` must be here.
    denominate_by : mapping
        ``{indicator code: denominator code}``; other indicators are left unchanged.
    scale_factors : mapping, optional
        ``{indicator code: s}``; the denominator is divided by ``s`` first.

    >>> d = pd.DataFrame({"A": [10.0, 20.0]}, index=pd.Index(["u1", "u2"], name="uCode"))
    >>> den = pd.DataFrame({"Pop": [2.0, 4.0]}, index=d.index)
    >>> denominate_frame(d, den, {"A": "Pop"})["A"].tolist()
    [5.0, 5.0]
    """
    scale_factors = dict(scale_factors or {})
    unknown = [c for c in scale_factors if c not in denominate_by]
    if unknown:
        raise SpecError(
            f"scale_factors names indicators that are not denominated: {', '.join(unknown)}.",
            file=file,
            key="denominate.scale_factors",
        )
    missing_units = [u for u in data.index if u not in denominators.index]
    if missing_units:
        raise DataError(f"no denominator values for units {', '.join(map(str, missing_units[:10]))}", reason="missing_units")
    out = data.copy()
    for code, denom in denominate_by.items():
        if code not in data.columns:
            continue
        if denom not in denominators.columns:
            known = ", ".join(denominators.columns) or "(none)"
            raise DataError(
                f"indicator '{code}' is to be divided by '{denom}', which is not a denominator column of iData "
                f"(denominator columns: {known})",
                column=denom,
                reason="unknown_denominator",
            )
        d = denominators.loc[data.index, denom].to_numpy(dtype=float) / float(scale_factors.get(code, 1.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            out[code] = data[code].to_numpy(dtype=float) / d
    return out
