"""A deterministic, scriptable backend for tests and dry runs (`--backend fake`).

Answers, in order of precedence: the next `enqueue`d value (a Struct, dict/list, str taken as raw model
text, or an exception to raise); else `responder(messages, json_schema)`; else a schema-valid value derived
from a hash of the prompt, the schema, the backend seed and the call's seed. Every call is kept in `history`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import msgspec

from ..errors import LLMError
from .base import GenParams, Message, RawGeneration

Responder = Callable[[list[Message], dict[str, Any] | None], Any]

_WORDS = [
    "amber",
    "basalt",
    "cedar",
    "delta",
    "ember",
    "fjord",
    "granite",
    "harbor",
    "island",
    "juniper",
    "kestrel",
    "lagoon",
    "meadow",
    "nebula",
    "orchard",
    "prairie",
    "quartz",
    "river",
    "summit",
    "tundra",
    "umber",
    "valley",
    "willow",
    "yarrow",
    "zephyr",
]


@dataclass
class FakeCall:
    messages: list[Message]
    json_schema: dict[str, Any] | None
    params: GenParams
    text: str


class FakeBackend:
    name = "fake"

    def __init__(self, responder: Responder | None = None, seed: int = 0, n_ctx: int = 2048) -> None:
        self.responder = responder
        self.seed = seed
        self.n_ctx = n_ctx
        self.model_id = "fake"
        self.model_sha256 = f"fake-backend-seed-{seed}"
        self.history: list[FakeCall] = []
        self._queue: deque[Any] = deque()

    def enqueue(self, *values: Any) -> None:
        """Script the next answers: a Struct/dict/list (encoded as JSON), a str (raw text), or an exception."""
        self._queue.extend(values)

    @property
    def queued(self) -> int:
        return len(self._queue)

    def generate(
        self, messages: list[Message], json_schema: dict[str, Any] | None, params: GenParams
    ) -> RawGeneration:
        if self._queue:
            answer = self._queue.popleft()
        elif self.responder is not None:
            answer = self.responder(messages, json_schema)
        else:
            rng = random.Random(self._digest(messages, json_schema, params))
            answer = fake_value(json_schema, rng) if json_schema is not None else _words(rng, 2, 8)
        if isinstance(answer, BaseException):
            self.history.append(FakeCall(messages, json_schema, params, ""))
            raise answer
        text = answer if isinstance(answer, str) else msgspec.json.encode(answer).decode()
        self.history.append(FakeCall(messages, json_schema, params, text))
        prompt_tokens = sum(self.count_tokens(m.content) for m in messages)
        return RawGeneration(text, prompt_tokens, self.count_tokens(text), 0.0, finish_reason="stop")

    def count_tokens(self, text: str) -> int:
        # about 4 characters a token, like English BPE vocabularies; deterministic and cheap
        return math.ceil(len(text.encode("utf-8")) / 4)

    def close(self) -> None:
        pass

    def _digest(self, messages: list[Message], json_schema: dict[str, Any] | None, params: GenParams) -> int:
        material = json.dumps(
            [[m.role, m.content] for m in messages] + [json_schema, self.seed, params.seed], sort_keys=True
        )
        return int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big")


def _words(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(rng.randint(low, high)))


def fake_value(schema: dict[str, Any], rng: random.Random) -> Any:
    """A value valid under `schema` (an inlined msgspec schema: no `$ref`), chosen with `rng`."""
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return rng.choice(schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return fake_value(rng.choice(schema[key]), rng)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = rng.choice(kind)
    if kind == "object":
        return _fake_object(schema, rng)
    if kind == "array":
        return _fake_array(schema, rng)
    if kind == "string":
        return _fake_string(schema, rng)
    if kind == "integer":
        low, high = _int_bounds(schema)
        return rng.randint(low, high)
    if kind == "number":
        low = schema.get("minimum", schema.get("exclusiveMinimum", 0.0))
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1.0))
        return round(rng.uniform(low, high), 3) if high > low else low
    if kind == "boolean":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if not schema:
        return _words(rng, 1, 3)  # msgspec.Raw / Any: anything goes
    raise LLMError(f"fake backend cannot produce a value for schema {json.dumps(schema)[:120]}")


def _fake_object(schema: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", properties))
    out: dict[str, Any] = {}
    for name, sub in properties.items():
        if name in required or rng.random() < 0.5:
            out[name] = fake_value(sub, rng)
    return out


def _fake_array(schema: dict[str, Any], rng: random.Random) -> list[Any]:
    low = schema.get("minItems", 0)
    high = schema.get("maxItems", max(low, 3))
    items = schema.get("items", {})
    values = [fake_value(items, rng) for _ in range(rng.randint(low, max(low, min(high, low + 3))))]
    if schema.get("prefixItems"):
        values = [fake_value(sub, rng) for sub in schema["prefixItems"]]
    return values


def _fake_string(schema: dict[str, Any], rng: random.Random) -> str:
    if "pattern" in schema or "format" in schema:
        raise LLMError("fake backend cannot produce strings for a 'pattern'/'format' schema; enqueue a value")
    low = schema.get("minLength", 0)
    high = schema.get("maxLength", 60)
    text = _words(rng, 1, 6)
    while len(text) < low:
        text += " " + rng.choice(_WORDS)
    return text[:high].rstrip() if len(text[:high].rstrip()) >= low else text[:high]


def _int_bounds(schema: dict[str, Any]) -> tuple[int, int]:
    low = schema.get("minimum")
    if low is None and "exclusiveMinimum" in schema:
        low = math.floor(schema["exclusiveMinimum"]) + 1
    high = schema.get("maximum")
    if high is None and "exclusiveMaximum" in schema:
        high = math.ceil(schema["exclusiveMaximum"]) - 1
    low = int(low) if low is not None else (0 if high is None else min(0, int(high)))
    high = int(high) if high is not None else low + 9
    if high < low:
        raise LLMError(f"fake backend: integer schema with empty range [{low}, {high}]")
    return low, high
