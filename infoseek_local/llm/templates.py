"""Versioned prompt templates: `llm/prompts/<name>.txt`.

Format: the first line is `# version: N`; then sections `[system]`, `[user]` (and optionally `[assistant]`
for few-shot turns) in order. `{var}` placeholders are filled with `str.format` rules (literal braces doubled);
only plain names are allowed. Keep static text first and variables last so llama.cpp reuses the KV cache of
the shared prefix, and put page text inside delimited blocks such as `<page>...</page>`.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import LLMError
from .base import Message

PROMPTS_DIR = Path(__file__).parent / "prompts"
_VERSION_LINE = re.compile(r"#\s*version:\s*(\S+)\s*$")
_SECTION = re.compile(r"^\[(system|user|assistant)\]\s*$", re.MULTILINE)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Template:
    name: str
    version: str  # "<name>@<N>"
    path: Path
    sections: tuple[tuple[str, str], ...]  # (role, text)
    variables: frozenset[str]

    def render(self, variables: dict[str, str]) -> list[Message]:
        missing = self.variables - variables.keys()
        if missing:
            raise LLMError(f"{self.path}: variables {sorted(missing)} not given; pass them to ask()")
        extra = variables.keys() - self.variables
        if extra:
            raise LLMError(f"{self.path}: variables {sorted(extra)} are not used by the template")
        return [Message(role, text.format_map(variables)) for role, text in self.sections]


def template_path(name: str, prompts_dir: Path | None = None) -> Path:
    if not _NAME.match(name):
        raise LLMError(f"template name {name!r} must be a plain identifier (file llm/prompts/<name>.txt)")
    return (prompts_dir or PROMPTS_DIR) / f"{name}.txt"


@lru_cache(maxsize=128)
def load_template(name: str, prompts_dir: Path | None = None) -> Template:
    path = template_path(name, prompts_dir)
    try:
        source = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise LLMError(f"{path}: prompt template {name!r} not found") from None
    first, _, body = source.partition("\n")
    match = _VERSION_LINE.match(first.strip())
    if not match:
        raise LLMError(f"{path}:1: first line must be '# version: N'")
    parts = _SECTION.split(body)
    if parts[0].strip():
        raise LLMError(f"{path}: text before the first [system]/[user] section")
    sections = tuple((parts[i], parts[i + 1].strip("\n")) for i in range(1, len(parts), 2))
    if not sections or sections[-1][0] != "user":
        raise LLMError(f"{path}: needs sections [system] and [user], the last one being [user]")
    variables: set[str] = set()
    for role, text in sections:
        try:
            fields = [f for _, f, _, _ in string.Formatter().parse(text) if f is not None]
        except ValueError as exc:
            raise LLMError(f"{path}: [{role}] section: {exc} (double literal braces: {{{{ }}}})") from None
        for field in fields:
            if not _NAME.match(field):
                raise LLMError(f"{path}: [{role}] placeholder {{{field}}} must be a plain name")
            variables.add(field)
    return Template(name, f"{name}@{match.group(1)}", path, sections, frozenset(variables))
