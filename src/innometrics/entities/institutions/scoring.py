"""Scoring a matcher the way ROR scores affiliation matchers.

Source: ``ror-community/affiliation-matching-experimental``, ``f-scores/calculate_f_score.py``.
Per row: TP when the predicted id is the gold id; FP when an id is predicted that is not the
gold id (including any prediction on a row whose gold is empty, "no match"); FN when nothing is
predicted and there is a gold id. ``precision = TP / (TP + FP)``, ``recall = TP / (TP + FN)``,
``F1 = 2PR / (P + R)``. Rows whose gold organisation is not in the registry used are left out
(nothing can match them), when ``registry_ids`` is given.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from innometrics.entities.institutions.ror import bare_id


def score_predictions(predicted: Iterable[str], gold: Iterable[str], *,
                      registry_ids: set[str] | None = None) -> dict[str, float | int]:
    """TP, FP, FN, TN, precision, recall and F1 of predicted against gold ids (full URLs or bare ids)."""
    pred = [bare_id(p) if isinstance(p, str) and p.strip() else "" for p in predicted]
    gold = [bare_id(g) if isinstance(g, str) and g.strip() else "" for g in gold]
    if len(pred) != len(gold):
        raise ValueError(f"{len(pred)} predictions for {len(gold)} gold rows")
    tp = fp = fn = tn = rows = 0
    for p, g in zip(pred, gold):
        if registry_ids is not None and g and g not in registry_ids:
            continue
        rows += 1
        if p:
            if p == g:
                tp += 1
            else:
                fp += 1
        elif g:
            fn += 1
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"rows": rows, "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "precision": precision, "recall": recall, "f1": f1}


def score_frame(matches: pd.DataFrame, gold: pd.DataFrame, *, registry_ids: set[str] | None = None) -> dict:
    """:func:`score_predictions` for a match table and a gold table (``ror_id`` columns, same row order)."""
    return score_predictions(matches["ror_id"].fillna(""), gold["ror_id"].fillna(""), registry_ids=registry_ids)
