"""What every check gets: the verify config, the run's trees, and (when a check needs them) index and judge."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from ..errors import ConfigError
from ..records import Question, Tree

if TYPE_CHECKING:
    from ..index.protocol import IndexLike
    from ..llm.client import LLM

# fluency first: it is the cheapest, and a garbled question makes every later verdict moot
DEFAULT_CHECKS = ("fluency", "leak", "grounded", "shortcut", "difficulty", "verifiability", "duplicate")


class VerifyConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Settings of every check; the result-changing ones are stored with the verdicts so a resume never mixes."""

    checks: tuple[str, ...] = DEFAULT_CHECKS
    keep_going: bool = False  # run every check on every question (full diagnostics) instead of stopping
    seed: int = 0
    # grounded
    min_overlap: float = 0.75  # share of a claim's content tokens found in its cited sentences
    grounded_judge: bool = (
        True  # ask the judge about claims code cannot accept (the embedded 135M says yes to all)
    )
    # fluency
    max_question_words: int = 100  # longer questions fail fluency (the templates nest clauses without end)
    # leak
    fuzzy_ratio: float = 0.88  # difflib ratio at which a question phrase counts as a near-alias
    fuzzy_min_chars: int = 8  # shorter names are matched exactly only ("paris" must not hit "parish")
    # difficulty (closed-book)
    samples: int = 3
    temperature: float = 0.8
    llm_answer_match: bool = False  # also ask the judge whether a closed-book answer matches
    # verifiability
    distractors: int = 4
    answer_tokens: int = 96  # reserved for the judge's reply
    # shortcut
    shortcut_rank: int = 1  # the answer page at this rank or better for one clause is a shortcut
    # ... and for the whole question: its text should not put the answer page on the first results page
    question_shortcut_rank: int = 10
    search_depth: int = 10
    min_clause_words: int = 3
    # duplicate
    max_jaccard: float = 0.6  # word-trigram Jaccard at or above which a question duplicates an earlier one
    max_per_answer: int = 3  # accepted questions per normalised answer

    def result_fields(self) -> dict[str, object]:
        """The settings that change verdicts (everything but keep_going, which only adds verdicts)."""
        data = msgspec.to_builtins(self)
        data.pop("keep_going")
        return data


@dataclass
class CheckContext:
    config: VerifyConfig
    trees: Mapping[str, Tree] = field(default_factory=dict)
    index: IndexLike | None = None
    llm: LLM | None = None

    def tree_of(self, question: Question) -> Tree | None:
        return self.trees.get(question.tree_id)

    def need_llm(self, check: str) -> LLM:
        if self.llm is None:
            raise ConfigError(
                f"check {check!r} needs a judge model; pass --judge-model, --judge-endpoint or --backend"
            )
        return self.llm

    def need_index(self, check: str) -> IndexLike:
        if self.index is None:
            raise ConfigError(
                f"check {check!r} needs the index; set index in the run's config.toml or pass --index"
            )
        return self.index


def load_verify_config(run_dir: Path, config_file: Path | None, overrides: dict[str, Any]) -> VerifyConfig:
    """Defaults, then a `[verify]` table of `<run>/config.toml`, then one of `config_file`, then CLI options."""
    data: dict[str, Any] = {}
    for path in (Path(run_dir) / "config.toml", config_file):
        if path is None or not Path(path).is_file():
            if path is config_file and path is not None:
                raise ConfigError(f"{path}: config file not found")
            continue
        try:
            table = tomllib.loads(Path(path).read_text(encoding="utf-8")).get("verify", {})
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: $.verify must be a table")
        data.update(table)
    data.update({k: v for k, v in overrides.items() if v is not None})
    if isinstance(data.get("checks"), str):
        data["checks"] = [c.strip() for c in data["checks"].split(",")]
    try:
        config = msgspec.convert(data, VerifyConfig)
    except msgspec.ValidationError as exc:
        raise ConfigError(f"verify config: {exc}") from None
    problems = [
        f"{k} must be >= 1"
        for k in ("samples", "search_depth", "max_per_answer", "max_question_words")
        if getattr(config, k) < 1
    ]
    problems += [
        f"{k} must be in (0, 1]"
        for k in ("min_overlap", "fuzzy_ratio", "max_jaccard")
        if not 0 < getattr(config, k) <= 1
    ]
    problems += [
        f"{k} ({getattr(config, k)}) must be <= search_depth ({config.search_depth}), the ranks searched"
        for k in ("shortcut_rank", "question_shortcut_rank")
        if getattr(config, k) > config.search_depth
    ]
    if problems:
        raise ConfigError("verify config: " + "; ".join(problems))
    return config
