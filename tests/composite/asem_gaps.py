"""The ASEM panel with gaps, shared by the panel imputation tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

import innometrics

ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"


def gappy_asem(single_value_series: bool) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """ASEM_iData_p with 8 % of indicator cells removed (seed 14); with ``single_value_series``
    AUT's LPI keeps one value (2020), otherwise every series left with one value is put back
    ("linear" stops on them). Returns the data, iMeta and the indicator codes."""
    data = pd.read_csv(ASEM / "ASEM_iData_p.csv")
    meta = pd.read_csv(ASEM / "ASEM_iMeta.csv")
    codes = list(meta.loc[meta["Type"] == "Indicator", "iCode"])
    rng = np.random.default_rng(14)
    values = data[codes].to_numpy(dtype=float)
    values[rng.random(values.shape) < 0.08] = np.nan
    full = data[codes].copy()
    data[codes] = values
    if single_value_series:
        data.loc[(data["uCode"] == "AUT") & (data["Time"] != 2020), "LPI"] = np.nan  # one value (issue #63)
    else:
        ones = data.groupby("uCode")[codes].transform(lambda s: s.notna().sum()) == 1
        data[codes] = data[codes].mask(ones, full)
    return data, meta, codes
