"""Where a run's index is: the one lookup every stage after synth (verify, sample, export) shares."""

from __future__ import annotations

from pathlib import Path

from ..errors import ConfigError, InputError
from .index_pin import check_index
from .layout import RunLayout


def index_path_for(run_dir: Path, override: Path | None = None) -> Path:
    """`--index` if given, else key `index` of `<run>/config.toml` (relative paths: from cwd, then the run).

    The index found must be the one the run was built from (its pinned id): IndexMismatchError otherwise."""
    layout = RunLayout(run_dir)
    path = configured_index_path(layout, override)
    check_index(layout, path)
    return path


def configured_index_path(layout: RunLayout, override: Path | None = None) -> Path:
    """The index path the options or the run's config name, not yet checked against the run's pin."""
    if override is not None:
        path = Path(override)
        if not path.exists():
            raise InputError(f"--index {path}: no such index directory")
        return path
    config_file = layout.config_file
    if not config_file.is_file():
        raise InputError(f"{config_file}: not found; pass --index DIR")
    config = layout.config()
    value = config.get("index")
    if value is None:  # tolerate the key inside one table, e.g. [synth]
        value = next((t["index"] for t in config.values() if isinstance(t, dict) and "index" in t), None)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{config_file}: $.index missing or not a path; pass --index DIR")
    path = Path(value)
    for candidate in (path, layout.root / path):
        if candidate.exists():
            return candidate
    raise InputError(f"{config_file}: $.index {value!r} does not exist; pass --index DIR")
