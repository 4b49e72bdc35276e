"""The README (Hugging Face dataset card) of an export, with the corpus licence note when it is known.

The bundled sample corpus and the full vital10k corpus it was cut from are Wikipedia text under CC BY-SA 4.0;
anything made from them must keep the attribution and the licence. We recognise them by the sha256 the index
manifest records for each source, and, for any other corpus, by gold URLs on wikipedia.org.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__

BUNDLED_WARC = Path(__file__).resolve().parent.parent / "data" / "vital10k-small.warc.gz"
# sha256 of the full vital10k.warc.gz (the shared corpus the bundled sample was cut from; see data/SOURCE.md)
VITAL10K_FULL_SHA256 = "e7dbb8a4c830e12169c5b33903baaf75870a0f5020baf885efb2e96f60db9fd5"

CC_BY_SA_NOTE = (
    "Text derived from Wikipedia articles © Wikipedia contributors, licensed under CC BY-SA 4.0 "
    "(https://creativecommons.org/licenses/by-sa/4.0/). This dataset is a derivative work: keep this "
    "attribution and share it under the same licence. Source pages are listed in each row's gold URLs."
)


@cache
def bundled_sha256() -> str:
    return hashlib.sha256(BUNDLED_WARC.read_bytes()).hexdigest() if BUNDLED_WARC.is_file() else ""


def index_sources(index_dir: Path | None) -> list[dict]:
    """The `sources` list of an index's manifest.json; [] when the index is gone or unreadable."""
    if index_dir is None:
        return []
    try:
        manifest = json.loads((index_dir / "manifest.json").read_text())
    except (OSError, json.JSONDecodeError):
        return []
    sources = manifest.get("sources", [])
    return [s for s in sources if isinstance(s, dict)] if isinstance(sources, list) else []


def attribution_for(sources: list[dict], urls: Iterable[str]) -> str:
    """The licence note the export must carry, or "" when the corpus licence is unknown to us."""
    known = {bundled_sha256(), VITAL10K_FULL_SHA256} - {""}
    if any(source.get("sha256") in known for source in sources):
        return CC_BY_SA_NOTE
    for url in urls:
        host = urlsplit(url).hostname or ""
        if host == "wikipedia.org" or host.endswith(".wikipedia.org"):
            return CC_BY_SA_NOTE
    return ""


def dataset_card(
    *, title: str, summary: str, data_files: dict[str, str], attribution: str, rows: int, columns: list[str]
) -> str:
    """A README.md whose YAML header lets `datasets.load_dataset(<dir>)` find the data files."""
    licence = "cc-by-sa-4.0" if attribution else "other"
    lines = ["---", f"license: {licence}", "configs:", "- config_name: default", "  data_files:"]
    for split, path in data_files.items():
        lines += [f"  - split: {split}", f"    path: {path}"]
    lines += ["---", "", f"# {title}", "", summary, "", f"Rows: {rows}. Columns: {', '.join(columns)}.", ""]
    lines += ["## Licence and attribution", ""]
    if attribution:
        lines.append(attribution)
    else:
        lines.append(
            "The source corpus is not one infoseek-local knows the licence of: the questions quote and "
            "paraphrase its pages, so this dataset inherits the corpus licence. Check it before sharing."
        )
    lines += ["", f"Made with infoseek-local {__version__}.", ""]
    return "\n".join(lines)
