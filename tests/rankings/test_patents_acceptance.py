"""Issue 13's acceptance spec, exactly as written, against an independent computation."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from independent_patents import inventor_country_counts

DATA = Path(__file__).resolve().parents[1] / "data" / "patents"

SPEC = '''[records]
path = "espacenet_pizza"
format = "espacenet"
[patents]
by = "inventor"
family = "none"
[count]
method = "fractional"
levels = ["country"]
'''


def test_acceptance_spec_matches_independent_counts(tmp_path):
    from innometrics.cli.main import app

    shutil.copytree(DATA / "espacenet_pizza", tmp_path / "espacenet_pizza")
    assert len(list((tmp_path / "espacenet_pizza").iterdir())) == 5
    (tmp_path / "spec.toml").write_text(SPEC, encoding="utf-8")
    result = CliRunner().invoke(app, ["rank", "build", str(tmp_path / "spec.toml"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "read 1,707 = used 1,650 + rejected 57" in result.output
    table = pd.read_csv(tmp_path / "out" / "country.csv", keep_default_na=False)
    ours_frac = dict(zip(table["unit"], table["p_frac"]))
    ours_full = dict(zip(table["unit"], table["p_full"]))

    frac, full, counted = inventor_country_counts(tmp_path / "espacenet_pizza")
    assert counted == 1650
    assert set(ours_frac) == set(frac)
    for unit, value in frac.items():
        assert ours_frac[unit] == pytest.approx(value, abs=1e-8), unit
        assert ours_full[unit] == pytest.approx(full[unit]), unit
    assert sum(ours_frac.values()) == pytest.approx(1650)
    # a few values by hand from the counts: the two biggest countries
    assert frac["USA"] == pytest.approx(ours_frac["USA"]) and ours_frac["USA"] > ours_frac["KOR"] > 250
