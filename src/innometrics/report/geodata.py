"""The world geometry shipped with the package (Natural Earth 1:110m via world-atlas; see DATA_SOURCES.md).

``report/assets/world_110m.json`` is TopoJSON with ISO 3166-1 alpha-3 ids, made by
``tools/world_topojson.py``. :mod:`innometrics.report.maps` draws it; the page inlines it.
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

ASSET = "world_110m.json"


@lru_cache(maxsize=1)
def world_topojson() -> str:
    """The shipped world TopoJSON as text (safe inside a JSON script block: it has no ``<``)."""
    text = resources.files("innometrics.report").joinpath("assets", ASSET).read_text(encoding="utf-8")
    if "<" in text:
        raise ValueError(f"{ASSET} must not contain '<' (it is inlined in a script element)")
    return text


@lru_cache(maxsize=1)
def world_iso3() -> frozenset[str]:
    """The ISO alpha-3 codes the shipped map can colour."""
    topo = json.loads(world_topojson())
    return frozenset(g["id"] for g in topo["objects"]["countries"]["geometries"] if "id" in g)
