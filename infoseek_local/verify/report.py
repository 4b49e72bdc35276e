"""Why a question was kept or dropped, as lines for `show RUN ID`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..records import Verdict
from ..store import done_info, is_done
from .pipeline import FINALIZE_SHARD, VERDICTS_DIR, read_verdicts

_SHOWN_EVIDENCE = ("answers", "question_rank", "question_plain_rank", "error")


def verdicts_for(run_dir: Path, question_id: str) -> list[Verdict]:
    return [v for v in read_verdicts(run_dir) if v.question_id == question_id]


def verdict_lines(run_dir: Path, question_id: str) -> list[str]:
    """One headline (accepted, or the first check that rejected it) and one line per verdict, in check order."""
    run_dir = Path(run_dir)
    verdicts_dir = run_dir / VERDICTS_DIR
    verdicts = verdicts_for(run_dir, question_id)
    if not verdicts:
        return [f"verify: no verdicts for {question_id} yet; run `infoseek-local verify {run_dir}`"]
    order = _check_order(verdicts_dir)
    verdicts.sort(key=lambda v: order.index(v.check) if v.check in order else len(order))
    failed = [v for v in verdicts if not v.passed]
    finished = is_done(verdicts_dir, FINALIZE_SHARD)
    if failed:
        headline = f"verify: rejected by {failed[0].check}: {failed[0].reason}"
    elif finished and len(verdicts) >= len(order):
        headline = "verify: accepted (passed every check)"
    else:
        headline = "verify: passed the checks run so far; not finished"
    lines = [headline]
    for verdict in verdicts:
        mark = "pass" if verdict.passed else "FAIL"
        lines.append(f"  {mark} {verdict.check}: {verdict.reason}{_evidence_note(verdict.evidence)}")
    return lines


def _check_order(verdicts_dir: Path) -> list[str]:
    if not is_done(verdicts_dir, FINALIZE_SHARD):
        return []
    checks = list(done_info(verdicts_dir, FINALIZE_SHARD).get("config", {}).get("checks", []))
    return [c for c in checks if c != "duplicate"] + (["duplicate"] if "duplicate" in checks else [])


def _evidence_note(evidence: dict[str, Any]) -> str:
    """The few evidence fields a reader needs beyond the reason (judge answers, ranks)."""
    shown = [f"{k}={evidence[k]!r}" for k in _SHOWN_EVIDENCE if k in evidence]
    failures = evidence.get("failures")
    if failures:
        shown.append(f"unsupported claims={len(failures)}")
    return f" [{'; '.join(shown)}]" if shown else ""
