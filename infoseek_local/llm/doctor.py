"""`doctor`: load a model, run one schema-constrained call with a known answer, and measure its speed."""

from __future__ import annotations

import json
import time
from typing import Annotated, Any, Literal

import msgspec

from .factory import LLMConfig


class DoctorAnswer(msgspec.Struct):
    colour: Literal["red", "green", "blue"]
    count: Annotated[int, msgspec.Meta(ge=0, le=9)]


DOCTOR_NOTE = "Three blue boxes stand by the door."
EXPECTED = DoctorAnswer(colour="blue", count=3)


def run_doctor(config: LLMConfig) -> dict[str, Any]:
    """Open the LLM of `config` (no cache), ask the doctor question, probe tokens/s; a JSON-ready report."""
    from .factory import open_llm_from_config
    from .speed import measure_speed

    started = time.perf_counter()
    llm = open_llm_from_config(config, cache=False)
    load_seconds = time.perf_counter() - started
    with llm:
        answer = llm.ask("doctor", {"note": DOCTOR_NOTE}, DoctorAnswer, stage="doctor")
        speed = measure_speed(llm.backend)
    return {
        "backend": llm.backend.name,
        "model": llm.model_id,
        "model_path": str(getattr(llm.backend, "model_path", "")),
        "model_sha256": llm.model_sha256,
        "n_ctx": llm.n_ctx,
        "threads": getattr(llm.backend, "threads", None),
        "load_seconds": round(load_seconds, 3),
        "structured_call": {
            "answer": msgspec.to_builtins(answer.value),
            "expected": msgspec.to_builtins(EXPECTED),
            "correct": answer.value == EXPECTED,
            "retries": answer.retries,
            "seconds": round(answer.seconds, 3),
            "prompt_tokens": answer.prompt_tokens,
            "completion_tokens": answer.completion_tokens,
        },
        "speed": speed.as_dict(),
    }


def doctor_lines(report: dict[str, Any]) -> list[str]:
    """The report as the aligned lines `doctor` prints."""
    call, speed = report["structured_call"], report["speed"]
    verdict = "correct" if call["correct"] else f"valid but wrong (expected {json.dumps(call['expected'])})"
    prompt_tps = f"{speed['prompt_tps']:.0f}" if speed["prompt_tps"] else "n/a"
    return [
        f"backend      {report['backend']}",
        f"model        {report['model']}  {report['model_path']}",
        f"sha256       {report['model_sha256']}",
        f"context      {report['n_ctx']} tokens   threads {report['threads'] or '-'}",
        f"load         {report['load_seconds']:.2f} s",
        f"structured   {json.dumps(call['answer'])}  {verdict}, {call['seconds']:.2f} s, {call['retries']} retries",
        f"speed        prompt {prompt_tps} tokens/s ({speed['prompt_tokens']} tokens), "
        f"generation {speed['generation_tps']:.1f} tokens/s ({speed['completion_tokens']} tokens)",
    ]
