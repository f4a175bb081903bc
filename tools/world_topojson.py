"""Make ``src/innometrics/report/assets/world_110m.json`` from world-atlas' ``countries-110m.json``.

world-atlas 2.0.2 (npm, ISC licence, Mike Bostock) carries Natural Earth's 1:110m
Admin 0 countries (public domain) as TopoJSON with ISO 3166-1 *numeric* ids. The
reports' maps (plotly.js ``choropleth`` with ``locationmode="ISO-3"``) match countries
by ISO 3166-1 *alpha-3*, so this script rewrites the ids (with pycountry) and keeps the
``countries`` and ``land`` objects and their arcs unchanged.

Run once when updating the geometry::

    npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python tools/world_topojson.py package/countries-110m.json
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pycountry

#: Features world-atlas leaves without a numeric id.
NO_NUMERIC = {"Kosovo": "XKX"}
TARGET = Path(__file__).resolve().parents[1] / "src" / "innometrics" / "report" / "assets" / "world_110m.json"


def convert(source: Path, target: Path = TARGET) -> None:
    topo = json.loads(source.read_text(encoding="utf-8"))
    for geom in topo["objects"]["countries"]["geometries"]:
        name = geom.get("properties", {}).get("name", "")
        numeric = geom.get("id")
        country = pycountry.countries.get(numeric=numeric) if numeric else None
        alpha3 = country.alpha_3 if country else NO_NUMERIC.get(name)
        if alpha3:
            geom["id"] = alpha3
        else:
            geom.pop("id", None)  # drawn as land, never matched (N. Cyprus, Somaliland)
    topo["license"] = ("Natural Earth 1:110m Admin 0 countries (public domain) via world-atlas 2.0.2 "
                       "(ISC, Copyright 2013-2019 Michael Bostock); ids rewritten to ISO 3166-1 alpha-3")
    target.write_text(json.dumps(topo, separators=(",", ":"), sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    convert(Path(sys.argv[1]))
