"""Hand memory the merge has freed back to the OS between its passes.

glibc keeps freed heap pages (page texts, numpy temporaries, tantivy's flushed arenas) for reuse, so a pass's
transient peak would stay in the process's resident anonymous memory until it exits; `malloc_trim` returns
them. Elsewhere (musl, macOS) this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from functools import cache


@cache
def _malloc_trim():
    name = ctypes.util.find_library("c")
    try:
        return ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        return None


def release_freed_memory() -> None:
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
