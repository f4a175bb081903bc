"""Colours shared by every chart of a report (no imports, so any report module may use them)."""

#: Colours for highlighted series (colour-blind safe, Okabe-Ito order).
HIGHLIGHT_COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"]
PEER_COLOUR = "#b9bfca"
BAR_COLOUR = "#1f5fae"
