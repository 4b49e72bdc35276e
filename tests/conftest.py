"""Shared fixtures. Every test runs with HOME and cache directories pointed at a tmp dir."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SAMPLE_WARC = REPO / "infoseek_local" / "data" / "vital10k-small.warc.gz"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("INFOSEEK_LOCAL_CACHE", str(home / ".cache" / "infoseek-local"))
    return home


@pytest.fixture(scope="session")
def sample_warc() -> Path:
    return SAMPLE_WARC


@pytest.fixture(scope="session")
def sample_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index built once per session from the bundled sample (400 pages, 3,371 in-corpus links)."""
    from infoseek_local.index.build import build_index

    out = tmp_path_factory.mktemp("sample_index") / "index"
    build_index([str(SAMPLE_WARC)], out, workers=1)
    return out
