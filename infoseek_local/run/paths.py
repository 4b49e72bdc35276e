"""Where a run's index is: the one lookup every stage after synth (verify, sample, export) shares."""

from __future__ import annotations

import tomllib
from pathlib import Path

from ..errors import ConfigError, InputError


def index_path_for(run_dir: Path, override: Path | None = None) -> Path:
    """`--index` if given, else key `index` of `<run>/config.toml` (relative paths: from cwd, then the run)."""
    if override is not None:
        path = Path(override)
        if not path.exists():
            raise InputError(f"--index {path}: no such index directory")
        return path
    config_file = Path(run_dir) / "config.toml"
    try:
        config = tomllib.loads(config_file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{config_file}: not found; pass --index DIR") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_file}: {exc}") from None
    value = config.get("index")
    if value is None:  # tolerate the key inside one table, e.g. [synth]
        value = next((t["index"] for t in config.values() if isinstance(t, dict) and "index" in t), None)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{config_file}: $.index missing or not a path; pass --index DIR")
    path = Path(value)
    for candidate in (path, Path(run_dir) / path):
        if candidate.exists():
            return candidate
    raise InputError(f"{config_file}: $.index {value!r} does not exist; pass --index DIR")
