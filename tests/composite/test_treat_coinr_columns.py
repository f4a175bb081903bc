"""Outlier treatment, one ASEM indicator at a time, against the line-by-line translation of
COINr's R code (``coinr_translation.treat_numeric``).

test_coinr_translation.py checks the same through whole builds (seconds per case); this checks
``treat_column`` directly on the raw ASEM columns (missing values kept), for every setting COINr
has, in milliseconds, so that it can run for each mutant of treat.py.
"""

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import coinr_translation as R
import innometrics
from innometrics.composite.treat import treat_column

ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"
META = pd.read_csv(ASEM / "ASEM_iMeta.csv")
DATA = pd.read_csv(ASEM / "ASEM_iData.csv")
INDICATORS = list(META.loc[META["Type"] == "Indicator", "iCode"])

#: setting -> (winsorise_max, force_winsorise, combine, log fallback) as treat_numeric takes them
SETTINGS = {
    "default": ({}, (5, False, False, True)),
    "unlimited": ({"winsorise_max": None}, (None, False, False, True)),
    "combined": ({"winsorise_max": 2, "combine": True}, (2, False, True, True)),
    "forced": ({"winsorise_max": 3, "force_winsorise": True}, (3, True, False, True)),
    "no_fallback": ({"winsorise_max": 1, "fallback": "none"}, (1, False, False, False)),
}


@pytest.mark.parametrize("name", list(SETTINGS))
def test_treat_column_matches_coinr_code_on_every_asem_indicator(name):
    settings, (winmax, force, combine, f2) = SETTINGS[name]
    treated = 0
    for code in INDICATORS:
        x = DATA[code].to_numpy(dtype=float)
        y, record = treat_column(x, settings)
        expected = R.treat_numeric(list(x), winmax, 2, 3.5, force, combine, f2)
        np.testing.assert_allclose(y, expected, rtol=1e-9, atol=0, equal_nan=True, err_msg=f"{name}: {code}")
        treated += record["treatment"] != "none"
    # the settings are exercised: several indicators fail the skew/kurtosis test
    assert treated >= 5
