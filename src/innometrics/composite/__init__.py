"""Composite indices following the OECD/JRC Handbook, reproducing COINr number for number.

One module per build step (:mod:`~innometrics.composite.denominate`, ``impute``,
``screen``, ``treat``, ``normalise``, ``weight``, ``aggregate``), the spec
(:mod:`~innometrics.composite.spec`), the build results (:mod:`~innometrics.composite.builds`), the pipeline
(:mod:`~innometrics.composite.pipeline`) and the output writer (:mod:`~innometrics.composite.outputs`).

The method modules are imported here, explicitly, so that their methods are in the
registry (``get_method("normalise", "minmax")``) whenever the package is used.
"""

from innometrics.composite import aggregate, impute, normalise, screen, treat  # noqa: F401  (registers methods)
from innometrics.composite import influence, weights_from_data  # noqa: F401  (registers analysis tools and data weights)
from innometrics.composite.builds import IndexBuild, PanelBuild
from innometrics.composite.outputs import write_build
from innometrics.composite.pipeline import (
    build,
    build_panel,
    rebuild,
    regen,
    replay,
    results_table,
)
from innometrics.composite.spec import IndexSpec, load_spec

__all__ = [
    "IndexBuild",
    "IndexSpec",
    "PanelBuild",
    "build",
    "build_panel",
    "load_spec",
    "rebuild",
    "regen",
    "replay",
    "results_table",
    "write_build",
]
