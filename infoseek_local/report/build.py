"""Gather each run, render the page, write it atomically (a half-written report never replaces a good one)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from .collect import collect_run
from .page import render_page

DEFAULT_CARDS = 50  # ~5-10 KB a card: 50 keep a page of a 1,000-question run far under 2 MB
REPORT_NAME = "report.html"


@dataclass(frozen=True)
class ReportResult:
    path: Path
    size: int
    runs: int
    cards: int
    empty_runs: int


def _labels(run_dirs: Sequence[Path]) -> list[str]:
    """Each run's folder name, or its whole path where two runs share a name."""
    names = [Path(p).name or str(p) for p in run_dirs]
    return [name if names.count(name) == 1 else str(path) for name, path in zip(names, run_dirs, strict=True)]


def write_report(
    run_dirs: Sequence[Path], out: Path | None = None, *, cards: int = DEFAULT_CARDS
) -> ReportResult:
    """Write the report of `run_dirs` (side by side when several) to `out`, default `<first run>/report.html`."""
    if not run_dirs:
        raise InputError("report: give at least one run directory")
    runs = [collect_run(Path(p), label, cards) for p, label in zip(run_dirs, _labels(run_dirs), strict=True)]
    html = render_page(runs).encode("utf-8")
    path = Path(out) if out is not None else Path(run_dirs[0]) / REPORT_NAME
    if path.is_dir():
        raise InputError(f"--out {path}: is a directory; give a file name such as {path / REPORT_NAME}")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(html)
    os.replace(tmp, path)
    shown = sum(len(run.cards.cards) for run in runs if run.cards is not None)
    return ReportResult(path, len(html), len(runs), shown, sum(run.empty for run in runs))
