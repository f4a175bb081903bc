"""Hostile strings fed through every renderer by the escaping tests."""

SCRIPT = "<script>alert(1)</script>"
ATTR = '" onmouseover="x'
CLOSE_PRE = "</pre><script>alert(2)</script>"
HOSTILE = [SCRIPT, ATTR]
