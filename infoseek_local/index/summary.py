"""What `infoseek-local info` reports about an index: sizes, out-degree per link kind, skips by reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .manifest import index_id_of


def _degree_figures(out_degrees: Any, n: int) -> dict[str, float]:
    import numpy as np

    return {
        "mean_out_degree": round(float(out_degrees.mean()), 3) if n else 0.0,
        "median_out_degree": float(np.median(out_degrees)) if n else 0.0,
        "share_with_3_or_more_out_links": round(float((out_degrees >= 3).mean()), 4) if n else 0.0,
    }


def index_summary(path: Path) -> dict[str, Any]:
    """The figures of the index in `path` (IndexMismatchError when it is not a finished index)."""
    import numpy as np

    from .graph import HYPERLINK, MENTION
    from .reader import Index

    with Index.open(path) as index:
        out_degrees = np.asarray(index.out_degrees())
        manifest = index.manifest
        n = index.n_pages
        counts = manifest["counts"]
        return {
            "path": str(path),
            "pages": n,
            "links": index.n_links,
            **_degree_figures(out_degrees, n),
            "mention_links": index.n_mention_links,
            "mention_links_also_hyperlinked": counts.get("mention_links_also_hyperlinked", 0),
            "mentions": _degree_figures(np.asarray(index.out_degrees((MENTION,))), n),
            "both_kinds": _degree_figures(np.asarray(index.out_degrees((HYPERLINK, MENTION))), n),
            "boilerplate_links": counts.get("boilerplate_links", 0),
            "site_chrome_links": counts.get("site_chrome_links", 0),
            "sources": len(manifest["sources"]),
            "records": counts.get("records", 0),
            "skipped": manifest.get("skipped", {}),
            "counts": counts,
            "index_id": index_id_of(manifest),
            "tool_version": manifest.get("tool_version", ""),
            "updated": manifest.get("updated", ""),
        }


def summary_lines(summary: dict[str, Any]) -> list[str]:
    """The summary as the aligned lines `info` prints."""
    lines = [
        f"index      {summary['path']} ({summary['index_id'][:12]}, tool {summary['tool_version']})",
        f"sources    {summary['sources']} files, {summary['records']} records",
        f"pages      {summary['pages']}",
        f"hyperlinks {summary['links']} in-corpus",
        f"mentions   {summary['mention_links']} mention links "
        f"({summary['mention_links_also_hyperlinked']} to pages the mentioning page also hyperlinks)",
        f"boilerplate {summary['boilerplate_links']} links in nav/header/footer/aside, "
        f"{summary['site_chrome_links']} site-chrome links: left out of the graph",
    ]
    for label, figures in (
        ("hyperlinks", summary),
        ("mentions", summary["mentions"]),
        ("both", summary["both_kinds"]),
    ):
        lines.append(
            f"out-degree {label:<10} mean {figures['mean_out_degree']}, median {figures['median_out_degree']}, "
            f"{figures['share_with_3_or_more_out_links']:.1%} of pages with >=3 in-corpus out-links"
        )
    skipped = summary["skipped"]
    lines.append("skipped    " + (", ".join(f"{k}={v}" for k, v in skipped.items()) if skipped else "none"))
    return lines
