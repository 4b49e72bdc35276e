"""The synth stage's config: a frozen Struct read from TOML, overridden by CLI options, saved in the run dir.

`<run>/config.toml` records what a run was made with (later stages read the index path from it). Rerunning
into the same run dir with a different config is refused by the runner (run/settings.py), so a resumed run
never mixes two configs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec

from ..errors import ConfigError

CONFIG_FILE = "config.toml"


class SynthConfig(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    index: str  # index directory (absolute path once resolved)
    n: int = 10  # seeds attempted; each gives at most one question
    seed: int = 0
    seeds_file: str = ""  # URLs or titles, one a line; empty: sample seeds from the index
    shard_size: int = 4  # seeds per output shard (the unit of resume)
    workers: int = 1
    # diffusion: a chain of hops, grown to target_depth
    min_depth: int = 2
    target_depth: int = 3
    max_depth: int = 4
    min_vertices: int = 3
    max_vertices: int = 5
    shortlist: int = 6  # links (or facts) offered to the browser at a time
    max_sentences: int = 16  # facts of a page considered when pinning a vertex down
    min_page_chars: int = 200  # shorter pages are not used as vertices
    min_seed_links: int = 1  # links of a sampled seed that make a clean clue (the test diffusion applies)
    max_seed_in_degree: float = (
        0.9  # sampled seeds come from below this quantile of in-degree (the long tail)
    )
    max_names_left: int = (
        0  # names a clue may keep that no kind was found for: each is a key to recall or type
    )
    # retrospection
    # the rarity (0: on every page, 1: on one page in ten thousand) of a start's two rarest words, summed: under it, words a
    # thousand pages share ("a city considered the second most important city of a country") fit few pages of
    # the index but many entities a reader knows of
    min_start_specificity: float = 1.1
    fit_coverage: float = 0.75  # share of a clue's content words another page must hold to fit it too
    attempts: int = 5  # trees tried per seed, each with a first hop the earlier ones did not take
    require_oracle: bool = True  # keep a question only when the oracle solver reaches its answer by search
    # LLM
    temperature: float = 0.0
    answer_max_tokens: int = 24
    max_question_words: int = 70  # longer questions lose spare facts, else are rejected as too_long
    polish: bool = False  # let the LLM rephrase the template question (kept only if code confirms it)
    backend: str = ""
    model: str = ""
    endpoints: list[str] = msgspec.field(default_factory=list)

    def validate(self) -> SynthConfig:
        problems = []
        if self.n < 1:
            problems.append(f"n must be >= 1, got {self.n}")
        if not 1 <= self.min_depth <= self.target_depth <= self.max_depth:
            problems.append(
                "need 1 <= min_depth <= target_depth <= max_depth, got "
                f"{self.min_depth}, {self.target_depth} and {self.max_depth}"
            )
        if not self.min_depth + 1 <= self.min_vertices <= self.max_vertices:
            problems.append(
                f"need min_depth + 1 <= min_vertices <= max_vertices, got {self.min_depth}, "
                f"{self.min_vertices} and {self.max_vertices}"
            )
        if self.shard_size < 1 or self.shortlist < 1 or self.max_sentences < 1 or self.attempts < 1:
            problems.append("shard_size, shortlist, max_sentences and attempts must be >= 1")
        if not 0 <= self.min_start_specificity <= 2:
            problems.append(f"min_start_specificity must be in [0, 2], got {self.min_start_specificity}")
        if not 0 < self.max_seed_in_degree <= 1:
            problems.append(f"max_seed_in_degree is a quantile in (0, 1], got {self.max_seed_in_degree}")
        if problems:
            raise ConfigError("synth config: " + "; ".join(problems))
        return self


def load_config(path: Path | None, overrides: dict[str, Any]) -> SynthConfig:
    """Config from a TOML file (optional), then non-None CLI overrides on top."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = msgspec.toml.decode(Path(path).read_bytes())
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read config ({exc.strerror})") from None
        except msgspec.DecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML: {exc}") from None
        data = data.get("synth", data)  # accept a [synth] table or top-level keys
    data.update({k: v for k, v in overrides.items() if v is not None})
    _follow_given_limits(data)
    if "index" not in data:
        raise ConfigError("synth config: no index given; pass --index DIR or set index in the config file")
    try:
        config = msgspec.convert(data, SynthConfig)
    except msgspec.ValidationError as exc:
        where = f"{path}" if path is not None else "synth options"
        raise ConfigError(f"{where}: {exc}") from None
    return config.validate()


def _follow_given_limits(data: dict[str, Any]) -> None:
    """A limit given alone moves the defaults it contradicts (`--max-vertices 3` lowers min_vertices too)."""
    defaults = SynthConfig(index="")
    if "max_depth" in data and "min_depth" not in data:
        data["min_depth"] = min(defaults.min_depth, data["max_depth"])
    if "max_depth" in data and "target_depth" not in data:
        data["target_depth"] = min(defaults.target_depth, data["max_depth"])
    if "min_depth" in data and "target_depth" not in data:
        data["target_depth"] = max(data["min_depth"], data.get("target_depth", defaults.target_depth))
    if "max_vertices" in data and "min_vertices" not in data:
        data["min_vertices"] = min(defaults.min_vertices, data["max_vertices"])


def config_to_toml(config: SynthConfig) -> str:
    """A flat TOML document (stdlib tomllib reads it; no writer dependency needed for flat values)."""
    lines = [
        "# written by infoseek-local synth; a rerun into this run dir must use the same config",
        "[synth]",
    ]
    for key, value in msgspec.to_builtins(config).items():
        lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise ConfigError(f"synth config: cannot write value {value!r} to TOML")


def read_run_config(run_dir: Path) -> SynthConfig:
    path = Path(run_dir) / CONFIG_FILE
    if not path.is_file():
        raise ConfigError(f"{path}: not found; is {run_dir} a synth run directory?")
    return load_config(path, {})
