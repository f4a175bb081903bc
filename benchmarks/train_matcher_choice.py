"""Fit the affiliation matcher's learned choice and write ``data/institutions/matcher_choice.json``.

The matcher finds every registry name in a string (exact hits); when they name several
organisations, or one that may not be what the string is about (a generic name, a name inside a
longer one), it must choose. This script fits that choice as a logistic regression
(scikit-learn, L2, ``C`` below), twice over the same
:data:`~innometrics.entities.institutions.matcher.CHOICE_FEATURES` of each candidate organisation:

- *whether* (``coef``, ``intercept``): one row per candidate, label 1 when it is the
  publisher-asserted organisation; the string is matched when some candidate reaches a
  probability ``threshold``, chosen for the highest F1 on the fitting rows (else nothing, and the
  fuzzy step);
- *which* (``rank``): one row per pair (asserted candidate, other candidate) of a string, the
  difference of their features, both orders, no intercept; the matcher takes the candidate of
  highest rank score. Ranking pairs within a string learns what separates candidates of one
  string, which the per-candidate model mixes with what separates strings (F1 0.005-0.01
  higher on the other half than choosing by the per-candidate probability).

Discipline: the shipped model is fitted on the **even rows** of ``crossref_test.csv`` only, so the
odd rows stay a held-out check; the script also fits on the odd rows and scores the even rows, so
both directions are reported. Rows whose gold organisation is not in the registry are left out.

Usage: ``python benchmarks/train_matcher_choice.py [--registry DUMP] [--labelled CSV] [--no-write]``.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "innometrics" / "data" / "institutions" / "matcher_choice.json"
#: Inverse L2 strength; 0.1, 1 and 10 gave F1 within 0.002 of each other on the other half.
C = 0.1
THRESHOLDS = [round(0.05 * i, 2) for i in range(0, 13)]


def _candidates(matcher, texts):
    """Per string: [(organisation position, feature vector)] of its exact hits, and the fuzzy result."""
    from innometrics.entities.institutions.matcher import CHOICE_FEATURES
    from innometrics.entities.institutions.normalise import segments

    rows, contexts = [], []
    for text in texts:
        segs = segments(text)
        countries, grams = matcher._string_places(segs)
        hits = matcher._exact_hits(segs, countries, grams) or matcher._acronym_hits(text, countries, grams)
        cands = matcher.candidate_features(hits, segs)
        rows.append([(int(matcher.current[h.org]), np.array([f[k] for k in CHOICE_FEATURES])) for h, f in cands])
        contexts.append((text, segs, countries, grams))
    fuzzy = matcher._fuzzy_batch(contexts)
    return rows, [fuzzy.get(t) for t in texts]


def _fit(rows, gold, idx):
    from sklearn.linear_model import LogisticRegression

    x = [v for i in idx if gold[i] >= 0 for _, v in rows[i]]
    y = [o == gold[i] for i in idx if gold[i] >= 0 for o, _ in rows[i]]
    return LogisticRegression(C=C, max_iter=5000).fit(np.array(x), np.array(y))


def _fit_rank(rows, gold, idx):
    """Pairs (gold candidate, other candidate) of strings with several candidates, both orders."""
    from sklearn.linear_model import LogisticRegression

    x, y = [], []
    for i in idx:
        right = [v for o, v in rows[i] if o == gold[i]]
        if gold[i] < 0 or len(rows[i]) < 2 or not right:
            continue
        for o, v in rows[i]:
            if o != gold[i]:
                x += [right[0] - v, v - right[0]]
                y += [1, 0]
    return LogisticRegression(C=C, max_iter=5000, fit_intercept=False).fit(np.array(x), np.array(y))


def _predict(model, rank, rows, fuzzy, idx, threshold, positions):
    """As the matcher decides: match when a candidate reaches the threshold, the best-ranked one
    (ties, which need equal rank scores, go to the first listed here; the matcher checks its own)."""
    out = {}
    for i in idx:
        if rows[i]:
            x = np.array([v for _, v in rows[i]])
            if model.predict_proba(x)[:, 1].max() >= threshold:
                out[i] = rows[i][int(np.argmax(x @ rank.coef_[0]))][0]
                continue
        f = fuzzy[i]
        out[i] = positions[f.ror_id.rsplit("/", 1)[-1]] if f is not None and f.ror_id else -1
    return out


def _score(pred, gold, idx):
    tp = sum(1 for i in idx if gold[i] >= 0 and pred[i] == gold[i])
    fp = sum(1 for i in idx if gold[i] >= 0 and pred[i] >= 0 and pred[i] != gold[i])
    fn = sum(1 for i in idx if gold[i] >= 0 and pred[i] < 0)
    p, r = tp / (tp + fp), tp / (tp + fn)
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(p, 4), "recall": round(r, 4),
            "f1": round(2 * p * r / (p + r), 4)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--registry", type=Path, default=SHARED / "ror" / "ror-v2-partial.json.gz")
    ap.add_argument("--labelled", type=Path, default=SHARED / "affiliations" / "crossref_test.csv")
    ap.add_argument("--no-write", action="store_true", help="Print the results, leave the JSON alone.")
    args = ap.parse_args(argv)

    import pandas as pd

    from innometrics.entities.institutions.matcher import CHOICE_FEATURES, AffiliationMatcher
    from innometrics.entities.institutions.ror import bare_id, load_registry

    registry = load_registry(args.registry, cache_dir=Path(tempfile.mkdtemp(prefix="ror-cache-")))
    matcher = AffiliationMatcher(registry, choice="rules")
    labelled = pd.read_csv(args.labelled, dtype=str, keep_default_na=False)
    positions = {r: i for i, r in enumerate(matcher.ids)}
    gold = [positions.get(bare_id(g), -1) if g else -1 for g in labelled["ror_id"]]
    rows, fuzzy = _candidates(matcher, list(labelled["affiliation"]))
    even, odd = list(range(0, len(rows), 2)), list(range(1, len(rows), 2))

    report = {}
    for name, fit_rows, test_rows in [("even", even, odd), ("odd", odd, even)]:
        model, rank = _fit(rows, gold, fit_rows), _fit_rank(rows, gold, fit_rows)
        fits = {t: _score(_predict(model, rank, rows, fuzzy, fit_rows, t, positions), gold, fit_rows)
                for t in THRESHOLDS}
        threshold = max(THRESHOLDS, key=lambda t: (fits[t]["f1"], t))
        held_out = _predict(model, rank, rows, fuzzy, test_rows, threshold, positions)
        report[name] = {"model": model, "rank": rank, "threshold": threshold, "fit": fits[threshold],
                        "held_out": _score(held_out, gold, test_rows)}
        print(f"fitted on {name} rows: threshold {threshold}; fitting half {fits[threshold]}; "
              f"other half {report[name]['held_out']}")
    model, rank, threshold = report["even"]["model"], report["even"]["rank"], report["even"]["threshold"]
    spec = {
        "about": "Logistic model of 'this candidate organisation is the one the affiliation string is about' "
                 "(innometrics.entities.institutions.matcher.ChoiceModel); written by "
                 "benchmarks/train_matcher_choice.py.",
        "fitted_on": f"{args.labelled.name}, even rows (0, 2, 4, ...) whose gold id is in {args.registry.name}",
        "fitted": datetime.date.today().isoformat(),
        "regularisation_C": C,
        "threshold": threshold,
        "scores": {"even rows (fitted)": report["even"]["fit"], "odd rows (held out)": report["even"]["held_out"],
                   "even rows, model fitted on odd rows": report["odd"]["held_out"]},
        "intercept": round(float(model.intercept_[0]), 6),
        "coef": {k: round(float(w), 6) for k, w in zip(CHOICE_FEATURES, model.coef_[0])},
        "rank": {k: round(float(w), 6) for k, w in zip(CHOICE_FEATURES, rank.coef_[0])},
    }
    text = json.dumps(spec, indent=1, ensure_ascii=False) + "\n"
    if not args.no_write:
        OUT.parent.mkdir(parents=True, exist_ok=True)
        OUT.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
