"""`infoseek-local doctor`: load the model, run one structured call, print context size and tokens/s."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

import click
import msgspec

from ..llm.options import llm_config_from_options, llm_options


class DoctorAnswer(msgspec.Struct):
    colour: Literal["red", "green", "blue"]
    count: Annotated[int, msgspec.Meta(ge=0, le=9)]


DOCTOR_NOTE = "Three blue boxes stand by the door."
EXPECTED = DoctorAnswer(colour="blue", count=3)


@click.command("doctor")
@llm_options
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of lines.")
def doctor_command(as_json: bool, **options: Any) -> None:
    """Check the LLM: load it, run one schema-constrained call, measure prompt and generation tokens/s."""
    from ..llm.factory import open_llm_from_config
    from ..llm.speed import measure_speed

    config = llm_config_from_options(options, echo_note=not as_json)
    started = time.perf_counter()
    llm = open_llm_from_config(config, cache=False)
    load_seconds = time.perf_counter() - started
    with llm:
        answer = llm.ask("doctor", {"note": DOCTOR_NOTE}, DoctorAnswer, stage="doctor")
        speed = measure_speed(llm.backend)
    report = {
        "backend": llm.backend.name,
        "model": llm.model_id,
        "model_path": str(getattr(llm.backend, "model_path", "")),
        "model_sha256": llm.model_sha256,
        "n_ctx": llm.n_ctx,
        "threads": getattr(llm.backend, "threads", None),
        "load_seconds": round(load_seconds, 3),
        "structured_call": {
            "answer": msgspec.to_builtins(answer.value),
            "correct": answer.value == EXPECTED,
            "retries": answer.retries,
            "seconds": round(answer.seconds, 3),
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens,
        },
        "speed": speed.as_dict(),
    }
    if as_json:
        click.echo(json.dumps(report, indent=1))
        return
    click.echo(f"backend      {report['backend']}")
    click.echo(f"model        {report['model']}  {report['model_path']}")
    click.echo(f"sha256       {report['model_sha256']}")
    click.echo(f"context      {report['n_ctx']} tokens   threads {report['threads'] or '-'}")
    click.echo(f"load         {load_seconds:.2f} s")
    verdict = (
        "correct"
        if answer.value == EXPECTED
        else f"valid but wrong (expected {msgspec.to_builtins(EXPECTED)})"
    )
    click.echo(
        f"structured   {json.dumps(msgspec.to_builtins(answer.value))}  {verdict}, "
        f"{answer.seconds:.2f} s, {answer.retries} retries"
    )
    prompt_tps = f"{speed.prompt_tps:.0f}" if speed.prompt_tps else "n/a"
    click.echo(
        f"speed        prompt {prompt_tps} tokens/s ({speed.prompt_tokens} tokens), "
        f"generation {speed.generation_tps:.1f} tokens/s ({speed.completion_tokens} tokens)"
    )
