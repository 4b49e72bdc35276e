"""`infoseek-local doctor`: load the model, run one structured call, print context size and tokens/s."""

from __future__ import annotations

import json
from typing import Any

import click

from ..llm.options import llm_config_from_options, llm_options


@click.command("doctor")
@llm_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of lines.")
def doctor_command(as_json: bool, **options: Any) -> None:
    """Check the LLM: load it, run one schema-constrained call, measure prompt and generation tokens/s."""
    from ..llm.doctor import doctor_lines, run_doctor

    report = run_doctor(llm_config_from_options(options, echo_note=not as_json))
    click.echo(json.dumps(report, indent=1) if as_json else "\n".join(doctor_lines(report)))
