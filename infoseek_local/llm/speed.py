"""Throughput probes shared by `doctor` and tools/bench_llm.py: prompt and generation tokens per second."""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from typing import Any

from .base import Backend, GenParams, Message

FILLER = (
    "The river rises in the northern hills, passes three market towns and a cathedral city, and reaches the "
    "sea through a wide estuary where salt marshes shelter migrating birds every autumn. "
)


@dataclass
class Speed:
    prompt_tokens: int
    prompt_seconds: float | None  # None where the backend cannot separate prompt time
    completion_tokens: int
    seconds: float

    @property
    def prompt_tps(self) -> float | None:
        if not self.prompt_seconds:
            return None
        return self.prompt_tokens / self.prompt_seconds

    @property
    def generation_tps(self) -> float:
        generating = self.seconds - (self.prompt_seconds or 0.0)
        return self.completion_tokens / generating if generating > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "prompt_tps": self.prompt_tps, "generation_tps": self.generation_tps}


def filler_messages(prompt_tokens: int, backend: Backend, nonce: str) -> list[Message]:
    """A user prompt of about `prompt_tokens` tokens; `nonce` first so no KV-cache prefix is shared."""
    text = f"[{nonce}] "
    unit = max(1, backend.count_tokens(FILLER))
    text += FILLER * max(1, prompt_tokens // unit)
    request = "\nNow count upwards from 1 to 500, separated by commas."
    return [Message("user", text + request)]


def measure_speed(backend: Backend, *, prompt_tokens: int = 256, max_tokens: int = 64) -> Speed:
    messages = filler_messages(prompt_tokens, backend, nonce=f"{time.time_ns()}")
    raw = backend.generate(messages, None, GenParams(max_tokens=max_tokens, repeat_penalty=1.0))
    return Speed(raw.prompt_tokens, raw.prompt_seconds, raw.completion_tokens, raw.seconds)
