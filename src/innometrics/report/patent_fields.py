"""Technology-field heat map of a patent ranking build (``fields.csv``).

Rows are the units with the most patents (fractional counts over known fields), columns
WIPO's technology fields present; the colour is ``log2(RTA)``, so 0 (white) is a unit
as specialised in the field as the whole sample, blue above and red below. A cell
without patents is empty. Hover shows the field's name, the count and the RTA.
"""

from __future__ import annotations

import math

import pandas as pd

from innometrics.report.charts import chart_block, heatmap
from innometrics.report.html import Page, esc

TOP_UNITS = 20


def field_heatmap_section(fields: pd.DataFrame | None, page: Page) -> None:
    """Add the heat map section when the build wrote ``fields.csv``."""
    if fields is None or fields.empty or not {"unit", "field", "rta", "p_frac"} <= set(fields.columns):
        return
    fields = fields.astype({"field": str})
    top = fields.groupby("unit")["p_frac"].sum().sort_values(ascending=False, kind="mergesort")
    units = list(top.index[:TOP_UNITS])
    cols = sorted(fields["field"].unique(), key=lambda f: (len(f), f))
    names = dict(zip(fields["field"], fields.get("field_name", fields["field"])))
    rta = fields.set_index(["unit", "field"])["rta"]
    matrix = [[_log2(rta.get((u, f))) for f in cols] for u in units]
    fig = heatmap(matrix, [f"{f} {names.get(f, '')}"[:40] for f in cols], units,
                  title="Revealed technological advantage, log2(RTA)", zmin=-3.0, zmax=3.0)
    text = ("RTA = the unit's share of its patents in a field divided by the field's share of all patents "
            "(fractional counts; 1 = no specialisation). The colour is log2(RTA), clipped to [-3, 3]; "
            f"rows are the {len(units)} units with most patents.")
    page.add("Technology fields", f"<p>{esc(text)}</p>" + chart_block(page, fig, label="technology field heat map"))


def _log2(value) -> float | None:
    if value is None or pd.isna(value) or value <= 0:
        return None
    return max(-3.0, min(3.0, math.log2(float(value))))
