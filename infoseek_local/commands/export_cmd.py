"""`infoseek-local export`: a run's accepted questions and trajectories as training data."""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..export import FORMATS


@click.command("export")
@click.argument("run", type=click.Path(file_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    required=True,
    help="hf: questions (JSONL + Parquet); sft: chat JSONL of correct trajectories; rl: verl/Search-R1 Parquet; "
    "tools: correct trajectories in verl's multi-turn search-tool layout (Parquet). Trajectory rows carry "
    "`origin` (guided or agent).",
)
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="Export directory (written atomically)."
)
@click.option("--overwrite", is_flag=True, help="Replace an earlier export in --out.")
@click.option(
    "--test-fraction",
    type=click.FloatRange(0.0, 1.0, max_open=True),
    default=0.0,
    show_default=True,
    help="rl only: share of questions in test.parquet (stable split by question id).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the export report as JSON.")
def export_command(
    run: Path, fmt: str, out: Path, overwrite: bool, test_fraction: float, as_json: bool
) -> None:
    """Export RUN in one training format."""
    import msgspec

    from ..export import export_run

    if test_fraction and fmt != "rl":
        raise click.UsageError("--test-fraction applies to --format rl only")
    report = export_run(run, fmt, out, overwrite=overwrite, test_fraction=test_fraction)
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(report), indent=1))
        return
    click.echo(f"{report.rows} rows → {out}: {', '.join(report.files)}")
    for reason, count in sorted(report.skipped.items()):
        click.echo(f"  skipped {count}: {reason}")
    if report.attribution:
        click.echo("  licence: CC BY-SA 4.0 attribution written to README.md")
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
