"""Site chrome: links that appear on most pages of a site ("Home", "About us", "Privacy") are navigation, not
research links, even outside <nav>/<header>/<footer>/<aside> (those are dropped at extraction already).

Pass 1 of the merge spools one key per (site, link target) pair of every page and one per page's site; a
pair found on at least `CHROME_SHARE` of a site's pages (and on `CHROME_MIN_PAGES` pages or more) is chrome.
Counts are over every extracted record, before duplicates are dropped.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .spool import Column, sorted_buckets

CHROME_SHARE = 0.5
CHROME_MIN_PAGES = 5  # a site of a handful of pages has no chrome to tell apart from content


def site_of(url: str) -> str:
    """The host part of a canonical URL (`https://host/...`)."""
    return url.split("/", 3)[2] if url.count("/") >= 2 else url


def pair_key(site_key: int, target_url: str) -> int:
    return hash((site_key, target_url))


class ChromeCounter:
    def __init__(self, work: Path) -> None:
        self.work = work
        self._page_sites = Column(work / "chrome_page_sites")
        self._pairs = Column(work / "chrome_pairs")
        self._pair_sites = Column(work / "chrome_pair_sites")

    def add_page(self, url: str, link_urls: list[str]) -> None:
        site_key = hash(site_of(url))
        self._page_sites.append(site_key)
        for target in set(link_urls):
            self._pairs.append(pair_key(site_key, target))
            self._pair_sites.append(site_key)

    def chrome_pairs(self) -> frozenset[int]:
        """Keys (`pair_key`) of the (site, target) pairs that are site chrome."""
        sites, pages_per_site = np.unique(np.asarray(self._page_sites.values()), return_counts=True)
        pair_sites = self._pair_sites.values()
        chrome: set[int] = set()
        for keys, positions in sorted_buckets(self._pairs.values(), self.work):
            if not len(keys):
                continue
            starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
            counts = np.diff(np.r_[starts, len(keys)])
            frequent = counts >= CHROME_MIN_PAGES
            if not frequent.any():
                continue
            site = np.asarray(pair_sites[positions[starts[frequent]]])
            site_pages = pages_per_site[np.searchsorted(sites, site)]
            is_chrome = counts[frequent] >= CHROME_SHARE * site_pages
            chrome.update(keys[starts[frequent][is_chrome]].view(np.int64).tolist())
        for column in (self._page_sites, self._pairs, self._pair_sites):
            column.close()
            column.path.unlink()
        return frozenset(chrome)
