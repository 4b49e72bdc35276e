"""`infoseek-local report RUN [RUN ...]`: one self-contained HTML page of a run's figures, charts and trees.

Charts are hand-built inline SVG (`svg.py`, `tree_graph.py`), not matplotlib: the charts are plain bars and a
small tree, which a few dozen lines draw in well under 2 KB each; matplotlib would add a ~40 MB dependency
and a second of import time, and its SVG embeds glyph paths (tens of KB a chart) unless told not to. The
page loads nothing from the network (a Content-Security-Policy forbids it) and runs no script.

Layers, imported one way: `figures.py` and `cards.py` read a run's records into plain data (`collect.py`
gathers them per run); `svg.py` and `tree_graph.py` draw; `panels.py` and `card_html.py` turn one run's data
into HTML; `page.py` lays the page out; `build.py` writes it for the command. `escape.py` is the one way text
reaches the page.
"""

from __future__ import annotations

from .build import ReportResult, write_report

__all__ = ["ReportResult", "write_report"]
