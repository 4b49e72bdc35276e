"""Leak check: the question must not name its answer, an alias of it, or any entity of its research tree."""

from __future__ import annotations

from ..records import Question, Verdict
from .answer_match import answer_variants
from .context import CheckContext
from .text import best_fuzzy_window, contains_phrase, tokens

CHECK = "leak"


def _names(question: Question, ctx: CheckContext) -> list[tuple[str, str]]:
    """(name, what it is) for the answer, its aliases and every vertex title of the question's tree."""
    names = [(question.answer, "answer")] + [(alias, "alias") for alias in question.aliases]
    tree = ctx.tree_of(question)
    if tree is not None:
        names += [(v.title, "answer page" if v.index == 0 else f"vertex {v.index}") for v in tree.vertices]
    return names


def check_leak(question: Question, ctx: CheckContext) -> Verdict:
    config = ctx.config
    question_tokens = tokens(question.question)
    checked = 0
    for name, kind in _names(question, ctx):
        for form, _ in answer_variants(name, []):  # also without "(disambiguation)"
            checked += 1
            phrase = form.split()
            if contains_phrase(question_tokens, phrase):
                return Verdict(
                    question_id=question.id,
                    check=CHECK,
                    passed=False,
                    reason=f"question names the {kind} {name!r}",
                    evidence={"name": name, "kind": kind, "match": "exact", "span": form},
                )
            if len(form) >= config.fuzzy_min_chars:
                ratio, span = best_fuzzy_window(question_tokens, phrase)
                if ratio >= config.fuzzy_ratio:
                    return Verdict(
                        question_id=question.id,
                        check=CHECK,
                        passed=False,
                        reason=f"question nearly names the {kind} {name!r} as {span!r} (similarity {ratio:.2f})",
                        evidence={
                            "name": name,
                            "kind": kind,
                            "match": "fuzzy",
                            "ratio": round(ratio, 3),
                            "span": span,
                        },
                    )
    return Verdict(
        question_id=question.id,
        check=CHECK,
        passed=True,
        reason=f"none of {checked} names of the answer and tree entities appears in the question",
        evidence={"names_checked": checked},
    )
