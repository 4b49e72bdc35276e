"""manifest.json (what a finished index holds) and build.json (the plan of a build in progress).

build.json is written before any work and names the index, its config and every source with its shards;
manifest.json is replaced atomically after a merge and points at the generation directory that readers use.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from ..errors import IndexMismatchError

FORMAT = "infoseek-local-index"
INDEX_SCHEMA_VERSION = 1
MANIFEST = "manifest.json"
BUILD_STATE = "build.json"


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=False)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as exc:
        raise IndexMismatchError(
            f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}); rebuild the index"
        ) from None


def read_manifest(directory: Path) -> dict[str, Any]:
    path = Path(directory) / MANIFEST
    if not path.is_file():
        if (Path(directory) / BUILD_STATE).is_file():
            raise IndexMismatchError(
                f"{directory}: index build not finished; rerun the same `infoseek-local index` command"
            )
        raise IndexMismatchError(
            f"{directory}: no {MANIFEST}, not an infoseek-local index; build one with "
            f"`infoseek-local index WARC... --out {directory}`"
        )
    manifest = read_json(path)
    check_format(path, manifest)
    return manifest


def check_format(path: Path, data: dict[str, Any]) -> None:
    if data.get("format") != FORMAT:
        raise IndexMismatchError(f"{path}: not an infoseek-local index file (format={data.get('format')!r})")
    version = data.get("schema_version")
    if version != INDEX_SCHEMA_VERSION:
        raise IndexMismatchError(
            f"{path}: index schema version {version}, this tool reads {INDEX_SCHEMA_VERSION}; rebuild into a new --out"
        )


def index_id_of(manifest: dict[str, Any]) -> str:
    """The id written at build (a uuid, kept when the index is extended); an index from before ids gets one
    derived from its sources' sha256s, so it stays readable and comparable."""
    written = manifest.get("index_id")
    if isinstance(written, str) and written:
        return written
    sources = sorted(str(s.get("sha256", "")) for s in manifest.get("sources", []))
    return "sources-" + hashlib.sha256("\n".join(sources).encode()).hexdigest()[:32]
