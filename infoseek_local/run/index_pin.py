"""Which index a run was built from, by id and not only by path.

Trees and questions name pages by their position in one index, so verifying or sampling a run against another
index (rebuilt at the same path, or passed with `--index`) gives nonsense. synth pins the index in
`<run>/index.json`; later stages compare the index they are given with the pin and refuse a different one.
A run made before pins existed has no index.json: it is checked by nothing, as before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import msgspec

from ..errors import IndexMismatchError, StoreError
from ..index.manifest import index_id_of, read_manifest
from .layout import RunLayout


class IndexPin(msgspec.Struct, frozen=True, kw_only=True):
    """The index a run was built from: its id, its generation at that time, and where it was."""

    index_id: str
    generation: str = ""
    path: str = ""
    pages: int = -1


def pin_of_index(index_dir: Path) -> IndexPin:
    """The pin describing the index in `index_dir` (IndexMismatchError when it is not a finished index)."""
    manifest = read_manifest(Path(index_dir))
    return IndexPin(
        index_id=index_id_of(manifest),
        generation=str(manifest.get("generation", "")),
        path=str(Path(index_dir).resolve()),
        pages=int(manifest.get("counts", {}).get("pages", -1)),
    )


def read_pin(layout: RunLayout) -> IndexPin | None:
    """The run's pinned index, or None for a run made before pins (or not yet synthesized)."""
    path = layout.index_file
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        return msgspec.json.decode(data, type=IndexPin)
    except msgspec.DecodeError as exc:
        raise StoreError(f"{path}: unreadable index pin ({exc}); delete it to pin the index again") from None


def pin_index(layout: RunLayout, index_dir: Path) -> IndexPin:
    """Pin `index_dir` as the run's index (synth calls this when it claims the run directory). A run already
    pinned to another index is refused; the same index (perhaps moved or extended since) is re-pinned."""
    pin = pin_of_index(index_dir)
    old = read_pin(layout)
    if old is not None:
        check_same_index(layout, old, pin, given=index_dir)
    if old != pin:
        layout.root.mkdir(parents=True, exist_ok=True)
        tmp = layout.index_file.with_name(layout.index_file.name + ".tmp")
        tmp.write_bytes(json.dumps(msgspec.to_builtins(pin), indent=1).encode() + b"\n")
        os.replace(tmp, layout.index_file)
    return pin


def check_index(layout: RunLayout, index_dir: Path) -> None:
    """IndexMismatchError when the run is pinned to another index than the one in `index_dir`."""
    old = read_pin(layout)
    if old is not None:
        check_same_index(layout, old, pin_of_index(index_dir), given=index_dir)


def check_same_index(layout: RunLayout, old: IndexPin, new: IndexPin, *, given: Path) -> None:
    if old.index_id != new.index_id:
        raise IndexMismatchError(
            f"{given}: holds index {new.index_id[:12]}, not index {old.index_id[:12]} that {layout.root} was "
            f"built from (at {old.path}); pass that index with --index, or synthesize into a new --out"
        )
