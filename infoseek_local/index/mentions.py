"""Mention links: where a page's text names another page of the corpus.

The name dictionary holds every page's title (and its part before a " - Site" / " | Site" suffix) and the
in-link anchor texts that `ANCHOR_AGREEMENT` or more pages agree on for one target; it is one Aho-Corasick
automaton (pyahocorasick, keys folded to lower case, values int ids). A page's text is scanned once; a match
counts when it is a whole word, and the longest matches win where matches overlap. Case rules, so everyday
words do not become links: a name that is a common English word (data/common_words.txt) only counts when
capitalised mid-sentence ("the Age of Iron", not "iron ore" nor "Iron is ..."); other names ignore case. A match that a
capitalised word joins ("Tasman Sea" for a page "Sea") is part of a longer name, not a mention.
A name shared by several pages links to the one on the mentioning page's own site, else nowhere (counted as
ambiguous). No page mentions itself; each target is linked once per page, at its first mention.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from .spool import Column, sorted_buckets

MIN_NAME_CHARS = 3
MAX_NAME_CHARS = 100
MAX_NAME_WORDS = 8
ANCHOR_AGREEMENT = 3  # distinct pages that link a target with the same words before those words name it
MAX_SCANNED_CHARS = 1_000_000  # a page's text beyond this is not scanned for mentions
BLOCK_PAIRS = 1 << 16  # (name, page) pairs turned into sort keys at once
_TITLE_SEPARATORS = (" - ", " | ", " – ", " — ", " :: ")
_OPENERS = " \t\"'([“‘"
_NON_WORD = re.compile(r"\W")


@cache
def common_words() -> frozenset[str]:
    text = resources.files("infoseek_local").joinpath("data/common_words.txt").read_text()
    return frozenset(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def fold(text: str) -> str:
    """Lower case with every character kept in place (offsets into the folded text are offsets into `text`)."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def match_key(text: str) -> str:
    """`fold`ed, with every non-word character a space (still one character for one): a dictionary key is
    " name " and the scanned text " text ", so the automaton only reports whole words."""
    return _NON_WORD.sub(" ", fold(text))


def title_names(title: str) -> list[str]:
    """A page's names from its title: the title, and its part before a site suffix ("Paris - Site" → "Paris")."""
    title = " ".join(title.split())
    names = [title]
    for separator in _TITLE_SEPARATORS:
        if separator in title:
            names.append(title.split(separator, 1)[0].strip())
            break
    return names


def is_usable_name(name: str) -> bool:
    return (
        MIN_NAME_CHARS <= len(name) <= MAX_NAME_CHARS
        and len(name.split()) <= MAX_NAME_WORDS
        and any(c.isalpha() for c in name)
    )


def agreed_anchor_names(anchors: list[str], title: str) -> list[str]:
    """Anchor texts of a page's in-links that `ANCHOR_AGREEMENT` or more linking pages use (case-insensitive),
    capitalised like names, other than the title."""
    counts: dict[str, int] = {}
    spelling: dict[str, str] = {}
    for anchor in anchors:
        anchor = " ".join(anchor.split())
        key = fold(anchor)
        counts[key] = counts.get(key, 0) + 1
        spelling.setdefault(key, anchor)
    own = fold(" ".join(title.split()))
    return [
        spelling[key]
        for key, count in counts.items()
        if count >= ANCHOR_AGREEMENT and key != own and spelling[key].removeprefix("the ")[:1].isupper()
    ]


@dataclass(frozen=True, slots=True)
class Mention:
    target: int
    surface: str  # the words as written in the text
    offset: int  # character offset in the page's text


class MentionDictionary:
    """Names → pages, built by `add` (in any order) and frozen by `matcher`. The automaton holds each distinct
    name once; the (name, page) pairs, which grow with the pages, are spooled to files under `work` and sorted
    there (index/spool.py), so RAM holds none of them."""

    def __init__(self, work: Path) -> None:
        import ahocorasick

        self._work = Path(work)
        self._work.mkdir(parents=True, exist_ok=True)
        self._automaton = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        self._name_lengths = array("i")
        self._pair_names = Column(self._work / "pair_names", "i")
        self._pair_pages = Column(self._work / "pair_pages", "i")

    @property
    def names(self) -> int:
        return len(self._name_lengths)

    def add(self, name: str, page_id: int) -> bool:
        name = " ".join(name.split())
        if not is_usable_name(name):
            return False
        key = f" {match_key(name)} "
        name_id = self._automaton.get(key, -1)
        if name_id == -1:
            name_id = len(self._name_lengths)
            self._automaton.add_word(key, name_id)
            self._name_lengths.append(len(key))
        self._pair_names.append(name_id)
        self._pair_pages.append(page_id)
        return True

    def matcher(self, page_sites: np.ndarray) -> MentionMatcher:
        """Freeze the dictionary; `page_sites` holds a site key per page id (ambiguous names)."""
        indptr, pages = self._pages_by_name()
        if self.names:
            self._automaton.make_automaton()
        return MentionMatcher(self._automaton, self._name_lengths, indptr, pages, page_sites)

    def _pages_by_name(self) -> tuple[np.ndarray, np.ndarray]:
        """(indptr per name id, page ids): the distinct pages of name `n` are pages[indptr[n]:indptr[n + 1]],
        ascending. Each pair is one uint64 key, the name id in the top bits and the page below, sorted
        externally; pages is memory-mapped."""
        names, pages = self._pair_names.values(), self._pair_pages.values()
        name_bits = max(1, self.names.bit_length())
        page_bits = 64 - name_bits
        keys = Column(self._work / "pair_keys")
        for start in range(0, len(names), BLOCK_PAIRS):
            block_names = np.asarray(names[start : start + BLOCK_PAIRS]).astype(np.uint64)
            block_pages = np.asarray(pages[start : start + BLOCK_PAIRS]).astype(np.uint64)
            keys.extend(((block_names << np.uint64(page_bits)) | block_pages).view(np.int64))
        keys.close()
        indptr = np.zeros(self.names + 1, dtype=np.int64)
        sorted_pages = Column(self._work / "name_pages", "i")
        previous = None  # the last key kept (duplicates of a pair lie next to each other once sorted)
        for block, _ in sorted_buckets(keys.values(), self._work):
            if not len(block):
                continue
            keep = np.r_[previous is None or block[0] != previous, block[1:] != block[:-1]]
            previous = block[-1]
            block = block[keep]
            indptr[1:] += np.bincount((block >> np.uint64(page_bits)).astype(np.int64), minlength=self.names)
            sorted_pages.extend((block & np.uint64((1 << page_bits) - 1)).astype(np.int32))
        np.cumsum(indptr, out=indptr)
        for column in (keys, self._pair_names, self._pair_pages):
            column.close()
            column.path.unlink()
        sorted_pages.close()
        return indptr, sorted_pages.values()


class MentionMatcher:
    def __init__(self, automaton, name_lengths, indptr, pages, page_sites) -> None:
        self._automaton = automaton
        self._name_lengths = name_lengths
        self._indptr = indptr
        self._pages = pages
        self._page_sites = page_sites
        self._common = common_words()
        self.ambiguous = 0  # mentions of a name several pages share, none on the mentioning page's site

    def find(self, text: str, page_id: int) -> list[Mention]:
        """Mentions of other pages in `text` (the text of page `page_id`), in text order."""
        if len(self._name_lengths) == 0 or not text:
            return []
        text = text[:MAX_SCANNED_CHARS]
        padded = f" {match_key(text)} "
        candidates: list[tuple[int, int, int]] = []
        for last, name_id in self._automaton.iter(padded):
            # the key is " name ": in `text`, the name starts one after the key's start in `padded`, less the pad
            start, end = last + 1 - self._name_lengths[name_id], last - 1
            key = padded[start + 1 : end + 1]
            if self._case_allows(text, start, key) and not self._inside_longer_name(text, start, end, key):
                candidates.append((start, end, name_id))
        # longest first; a shorter match inside or across a longer one is not a mention
        candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
        taken = bytearray(len(text))
        chosen: list[tuple[int, int, int]] = []
        for start, end, name_id in candidates:
            if 1 in taken[start:end]:
                continue
            taken[start:end] = b"\x01" * (end - start)
            chosen.append((start, end, name_id))
        chosen.sort()
        mentions: list[Mention] = []
        linked: set[int] = {page_id}
        for start, end, name_id in chosen:
            target = self._target(name_id, page_id)
            if target is not None and target not in linked:
                linked.add(target)
                mentions.append(Mention(target, text[start:end], start))
        return mentions

    def _case_allows(self, text: str, start: int, key: str) -> bool:
        if key not in self._common:
            return True
        return text[start].isupper() and not _starts_sentence(text, start)

    def _inside_longer_name(self, text: str, start: int, end: int, key: str) -> bool:
        """The match is part of a longer name or compound the dictionary lacks ("Tasman Sea", "New Guinea",
        "Arctic Circle", "Asia-Pacific"): a word joins it by a hyphen, or a capitalised word by a space, after
        it or before it (before it: mid-sentence, or an uncommon word at a sentence start: not "In", "The"),
        or an everyday word is followed by "of" and a capitalised word ("Sea of Okhotsk")."""
        if end + 1 < len(text) and (
            (text[end] == "-" and text[end + 1].isalpha()) or (text[end] == " " and text[end + 1].isupper())
        ):
            return True  # "Port-au-Prince", "Arctic Circle"
        if key in self._common and text.startswith(" of ", end) and text[end + 4 : end + 5].isupper():
            return True  # "the Sea of Okhotsk" for a page "Sea"
        if start >= 2 and text[start - 1] == "-" and text[start - 2].isalpha():
            return True  # "Indo-European"
        if start < 2 or text[start - 1] != " ":
            return False
        word_start = start - 1
        while word_start > 0 and (text[word_start - 1].isalnum() or text[word_start - 1] in "'’."):
            word_start -= 1
        word = text[word_start : start - 1]
        if not word[:1].isupper() or word.endswith(("'s", "’s")):
            return False  # "Russia's Kamchatka Peninsula" names Russia and the peninsula apart
        return not _starts_sentence(text, word_start) or fold(word) not in self._common

    def _target(self, name_id: int, page_id: int) -> int | None:
        pages = self._pages[self._indptr[name_id] : self._indptr[name_id + 1]]
        if len(pages) == 1:
            return int(pages[0])
        others = pages[pages != page_id]
        if len(others) == 1:
            return int(others[0])
        same_site = others[self._page_sites[others] == self._page_sites[page_id]]
        if len(same_site) == 1:
            return int(same_site[0])
        if len(others):
            self.ambiguous += 1
        return None


def _starts_sentence(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in _OPENERS:
        i -= 1
    return i < 0 or text[i] in ".!?\n"
