"""JSON schemas of answer types and lenient decoding of what a model wrote against them.

`answer_schema(T)` is msgspec's JSON schema of `T` with every `$ref` inlined: llama.cpp's schema-to-grammar
converter mishandles nested `$ref`s (and silently falls back to "any JSON"), so every backend gets one
self-contained schema. `decode_answer` tolerates the one defect grammar-constrained output is known to have:
raw control characters inside JSON strings.
"""

from __future__ import annotations

import copy
import json
import re
from functools import lru_cache
from typing import Any

import msgspec

from ..errors import LLMError

_CONTROL = re.compile(r"[\x00-\x1f]")


def type_name(answer_type: Any) -> str:
    return getattr(answer_type, "__name__", None) or repr(answer_type)


@lru_cache(maxsize=256)
def _schema_json(answer_type: Any) -> str:
    try:
        raw = msgspec.json.schema(answer_type)
    except (TypeError, ValueError) as exc:
        raise LLMError(f"answer type {type_name(answer_type)} has no JSON schema: {exc}") from None
    definitions = raw.pop("$defs", {})
    inlined = _inline_refs(raw, definitions, (), type_name(answer_type))
    return json.dumps(inlined, sort_keys=False)


def answer_schema(answer_type: Any) -> dict[str, Any]:
    """The self-contained JSON schema of `answer_type` (a fresh copy the caller may keep)."""
    return json.loads(_schema_json(answer_type))


def schema_text(answer_type: Any) -> str:
    """Compact, stable JSON of the schema, as shown to the model and used in cache keys."""
    return _schema_json(answer_type)


def _inline_refs(node: Any, definitions: dict[str, Any], seen: tuple[str, ...], root: str) -> Any:
    if isinstance(node, list):
        return [_inline_refs(item, definitions, seen, root) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if ref is not None:
        name = ref.rsplit("/", 1)[-1]
        if name in seen:
            raise LLMError(
                f"answer type {root}: recursive type {name} cannot be expressed as a grammar; "
                "give the recursion a fixed depth (separate Struct types per level)"
            )
        if name not in definitions:
            raise LLMError(f"answer type {root}: schema reference {ref} is undefined")
        target = copy.deepcopy(definitions[name])
        return _inline_refs(target, definitions, (*seen, name), root)
    # "discriminator" is documentation only; the tag is already a required one-value enum
    return {
        key: _inline_refs(value, definitions, seen, root)
        for key, value in node.items()
        if key != "discriminator"
    }


@lru_cache(maxsize=256)
def _decoder(answer_type: Any) -> msgspec.json.Decoder:
    return msgspec.json.Decoder(answer_type)


def escape_control_chars(text: str) -> str:
    """Escape raw control characters that sit inside JSON strings (where JSON forbids them)."""
    out: list[str] = []
    in_string = False
    escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
            elif char < " ":
                out.append(f"\\u{ord(char):04x}")
                continue
        elif char == '"':
            in_string = True
        out.append(char)
    return "".join(out)


def decode_answer(text: str, answer_type: Any) -> tuple[Any, bool]:
    """(value, repaired): the decoded and validated value; `repaired` when control characters were escaped.

    Raises `msgspec.ValidationError`/`msgspec.DecodeError` when the text is not a valid `answer_type`.
    """
    decoder = _decoder(answer_type)
    try:
        return decoder.decode(text), False
    except msgspec.DecodeError:
        if not _CONTROL.search(text):
            raise
    return decoder.decode(escape_control_chars(text)), True
