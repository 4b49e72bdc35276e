"""Training-data exports of a run: `hf` (questions), `sft` (chat trajectories), `rl` (verl / Search-R1 Parquet),
`tools` (trajectories in verl's multi-turn search-tool layout)."""

from __future__ import annotations

from pathlib import Path

from .common import ExportReport

FORMATS = ("hf", "sft", "rl", "tools")


def export_run(
    run: Path, fmt: str, out: Path, *, overwrite: bool = False, test_fraction: float = 0.0
) -> ExportReport:
    """Export `run` in format `fmt` to directory `out` (written atomically)."""
    if fmt == "hf":
        from .hf import export_hf

        return export_hf(run, out, overwrite=overwrite)
    if fmt == "sft":
        from .sft import export_sft

        return export_sft(run, out, overwrite=overwrite)
    if fmt == "rl":
        from .rl import export_rl

        return export_rl(run, out, overwrite=overwrite, test_fraction=test_fraction)
    if fmt == "tools":
        from .tools import export_tools

        return export_tools(run, out, overwrite=overwrite)
    raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")


__all__ = ["FORMATS", "ExportReport", "export_run"]
