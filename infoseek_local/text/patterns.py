"""Regular expressions built from names at run time, compiled once each.

A synth run tests the same few thousand names and kinds against tens of thousands of sentences; Python's own
cache of compiled expressions holds 512, so without this one they are parsed again and again (seed sampling
spent a third of its time compiling)."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=1 << 15)
def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    return re.compile(pattern, flags)
