"""Leak check: the question must not name its answer, an alias of it, or any entity of its research tree
(exactly, nearly, or by an acronym)."""

from __future__ import annotations

from typing import Any

from ..records import Question, Verdict
from ..text import acronyms_in, names_given_in
from .answer_match import answer_variants
from .context import CheckContext, VerifyConfig
from .text import best_fuzzy_window, contains_phrase, tokens

CHECK = "leak"


def _names(question: Question, ctx: CheckContext) -> list[tuple[str, str]]:
    """(name, what it is) for the answer, its aliases and every vertex title of the question's tree."""
    names = [(question.answer, "answer")] + [(alias, "alias") for alias in question.aliases]
    tree = ctx.tree_of(question)
    if tree is not None:
        names += [(v.title, "answer page" if v.index == 0 else f"vertex {v.index}") for v in tree.vertices]
        # other names a vertex's own cited sentences give it ("historically known as Tadzhikistan")
        for vertex in tree.vertices:
            kind = f"other name of vertex {vertex.index}"
            for claim in vertex.claims:
                if claim.kind == "attribute":
                    names += [(n, kind) for s in claim.sentences for n in names_given_in(s, [vertex.title])]
    return names


def find_leak(
    text: str, names: list[tuple[str, str]], config: VerifyConfig
) -> tuple[str, dict[str, Any]] | None:
    """(reason, evidence) for the first name of `names` ((name, what it is)) that `text` names exactly, nearly
    (fuzzy) or by acronym ("MSEA" for Mainland Southeast Asia: case-sensitive, whole word); None if none.

    Shared with the synth stage, which rejects a leaking question before it is written."""
    text_tokens = tokens(text)
    for name, kind in names:
        for form, _ in answer_variants(name, []):  # also without "(disambiguation)"
            phrase = form.split()
            if contains_phrase(text_tokens, phrase):
                return f"question names the {kind} {name!r}", {
                    "name": name,
                    "kind": kind,
                    "match": "exact",
                    "span": form,
                }
            if len(form) >= config.fuzzy_min_chars:
                ratio, span = best_fuzzy_window(text_tokens, phrase)
                if ratio >= config.fuzzy_ratio:
                    return (
                        f"question nearly names the {kind} {name!r} as {span!r} (similarity {ratio:.2f})",
                        {
                            "name": name,
                            "kind": kind,
                            "match": "fuzzy",
                            "ratio": round(ratio, 3),
                            "span": span,
                        },
                    )
        acronyms = acronyms_in(text, [name])
        if acronyms:
            return f"question names the {kind} {name!r} by its acronym {acronyms[0]!r}", {
                "name": name,
                "kind": kind,
                "match": "acronym",
                "span": acronyms[0],
            }
    return None


def names_checked(names: list[tuple[str, str]]) -> int:
    return sum(len(answer_variants(name, [])) for name, _ in names)


def check_leak(question: Question, ctx: CheckContext) -> Verdict:
    names = _names(question, ctx)
    found = find_leak(question.question, names, ctx.config)
    if found is not None:
        reason, evidence = found
        return Verdict(question_id=question.id, check=CHECK, passed=False, reason=reason, evidence=evidence)
    checked = names_checked(names)
    return Verdict(
        question_id=question.id,
        check=CHECK,
        passed=True,
        reason=f"none of {checked} names of the answer and tree entities appears in the question",
        evidence={"names_checked": checked},
    )
