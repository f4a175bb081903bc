"""Benefit of the Doubt and Mazziotta-Pareto aggregation (Compind's ci_bod, ci_mpi), worked by hand."""

from pathlib import Path

import numpy as np
import pytest

import innometrics
from innometrics.composite import build
from innometrics.composite.aggregate import benefit_of_the_doubt, mazziotta_pareto
from innometrics.errors import SpecError

ASEM = Path(innometrics.__file__).resolve().parent / "data" / "asem"


def test_bod_by_hand():
    # A = (1, 4), B = (2, 2), C = (1, 1). A and B are on the frontier. For C:
    # max w1 + w2 s.t. w1 + 4 w2 <= 1 and 2 w1 + 2 w2 <= 1 -> w1 + w2 <= 1/2.
    X = np.array([[1.0, 4.0], [2.0, 2.0], [1.0, 1.0], [np.nan, 3.0]])
    np.testing.assert_allclose(benefit_of_the_doubt(X, np.ones(2)), [1.0, 1.0, 0.5, np.nan])
    # a zero weight leaves the child out: on the first child alone, B (2) sets the frontier
    np.testing.assert_allclose(benefit_of_the_doubt(X, np.array([1.0, 0.0])), [0.5, 1.0, 0.5, np.nan])


def test_mpi_by_hand():
    Z = np.array([[100.0, 100.0, 100.0], [90.0, 100.0, 110.0], [100.0, np.nan, 80.0]])
    # row 2: M = 100, S = sqrt((100 + 0 + 100) / 2) = 10, cv = 0.1, MPI- = 100 * (1 - 0.01) = 99
    np.testing.assert_allclose(mazziotta_pareto(Z, np.ones(3)), [100.0, 99.0, np.nan])
    np.testing.assert_allclose(mazziotta_pareto(Z, np.ones(3), penalty="negative"), [100.0, 101.0, np.nan])


def test_mpi_and_bod_in_a_build():
    spec = {"data": {"indicators": str(ASEM / "ASEM_iData.csv"), "meta": str(ASEM / "ASEM_iMeta.csv")},
            "impute": {"method": "mean"},
            "normalise": {"method": "zscore", "mean_sd": [100, 10]},
            "aggregate": {"method": "mpi", "penalty": "positive"}}
    b = build(spec)
    agg = b.stages["aggregated"]
    kids = ["LPI", "Flights", "Ship", "Bord", "Elec", "Gas", "ConSpeed", "Cov4G"]  # the Physical pillar
    z = agg.loc["AUT", kids].to_numpy()
    m, s = z.mean(), z.std(ddof=1)
    assert agg.loc["AUT", "Physical"] == pytest.approx(m - s * s / m, rel=1e-12)
    bod = build({**spec, "normalise": {"method": "minmax", "range": [1, 100]}, "aggregate": {"method": "bod"}})
    phys = bod.stages["aggregated"]["Physical"]
    assert phys.max() == pytest.approx(1.0) and (phys > 0).all() and (phys <= 1 + 1e-9).all()
    with pytest.raises(SpecError, match="'penalty' is only used by method 'mpi'"):
        build({**spec, "aggregate": {"method": "arithmetic", "penalty": "negative"}})
