"""The one LLM interface every stage uses: messages (+ an optional msgspec Struct type) in, a typed value out.

Backends (`llamacpp`, `openai`, `fake`) implement `Backend.generate`, which returns raw text and usage; the
`LLM` client in `llm/client.py` adds templates, JSON-schema enforcement, decoding, bounded retries, the call
cache and accounting on top, the same way for every backend.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from msgspec import Struct

T = TypeVar("T")


class Message(Struct, frozen=True):
    role: str  # "system" | "user" | "assistant"
    content: str


class GenParams(Struct, frozen=True, kw_only=True):
    """Sampling parameters; part of the cache key."""

    temperature: float = 0.0
    max_tokens: int = 256
    top_p: float = 0.95
    repeat_penalty: float = 1.1
    seed: int = 0


@dataclass
class RawGeneration:
    """What a backend returns for one call."""

    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    finish_reason: str = ""  # "stop" | "length" (cut at max_tokens) | "" (unknown)
    prompt_seconds: float | None = None  # time spent reading the prompt, where the backend can tell
    reused_prompt_tokens: int = 0  # prompt tokens served from the KV cache of the previous call


@dataclass
class Completion(Generic[T]):
    """What the `LLM` client returns: the decoded value plus the raw text and its cost."""

    value: T
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    cache_hit: bool
    retries: int = 0


class Backend(Protocol):
    """A model behind some transport. `json_schema`, when given, must constrain the output to that schema."""

    name: str  # "llamacpp" | "openai" | "fake"
    model_id: str  # file name or served model name
    model_sha256: str  # of the GGUF file where known, else a stable identity string
    n_ctx: int

    def generate(
        self, messages: list[Message], json_schema: dict[str, Any] | None, params: GenParams
    ) -> RawGeneration: ...

    def count_tokens(self, text: str) -> int: ...

    def close(self) -> None: ...
