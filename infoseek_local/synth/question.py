"""Question writing: the tree's clues as a short question (see `compose`); the answer is the root.

Before a question is kept, code makes it hard and clean: not over `max_question_words` (facts the answer can
spare go first), no single search with the whole question finds the answer page in the top 10 and none with a
clause finds it first (both rankings: verify's shortcut test), it names no tree entity (verify's leak test, plus
demonyms), and the fluency lint finds no debris. An LLM may polish the wording (`polish`); the polished text is
kept only if the same tests pass and every clue's key words are still there.
"""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from msgspec import Meta

from ..index.aliases import accepted_aliases
from ..records import Claim, Vertex
from ..text import acronyms_in, content_terms, demonyms_in, mentions_name, term_coverage
from ..text.fluency import fluency_problems
from ..verify.context import VerifyConfig
from ..verify.leak import find_leak
from ..verify.shortcut import first_shortcut, shortcut_ranks, shortcut_reason
from .compose import compose
from .context import SynthContext, TreeRejected
from .retrospection import root_rivals

POLISH_KEEP_COVERAGE = 0.8
MAX_SHORTCUT_REPAIRS = 3
_VERIFY_TESTS = VerifyConfig()  # verify's shortcut and leak tests, run with their defaults


class Polished(msgspec.Struct, kw_only=True):
    question: Annotated[str, Meta(min_length=10, max_length=600)]


def leaked_names(ctx: SynthContext, vertices: list[Vertex], question: str) -> list[str]:
    """Names of tree entities the question holds: any vertex's names, their acronyms and their demonyms
    ("Tajik" for Tajikistan: a capitalised word sharing a 5-letter start with a name's word)."""
    names = [n for v in vertices for n in ctx.aliases(v.page_id)]
    leaked = {n for n in names if len(n) >= 3 and mentions_name(question, n)}
    leaked |= set(acronyms_in(question, names))
    leaked |= set(demonyms_in(question, names))
    return sorted(leaked)


def leak_names(ctx: SynthContext, vertices: list[Vertex]) -> list[tuple[str, str]]:
    """The names verify's leak check looks for, as it builds them from the question and its tree."""
    names = [(vertices[0].title, "answer")] + [(a, "alias") for a in answer_aliases(ctx, vertices[0])]
    return names + [(v.title, "answer page" if v.index == 0 else f"vertex {v.index}") for v in vertices]


def answer_aliases(ctx: SynthContext, root: Vertex) -> list[str]:
    """Accepted answers besides the title: the page's own names and anchors many sites agree on."""
    return accepted_aliases(ctx.index, root.page_id, ctx.own_names(root.page_id), exclude=root.title)


def shortcut_found(
    ctx: SynthContext, vertices: list[Vertex], question: str
) -> tuple[dict[str, Any], str] | None:
    """The search (whole question, then each clause; both rankings) that finds the answer page, and why, as
    verify's shortcut check tests it."""
    ranks = shortcut_ranks(ctx.index, question, vertices[0].page_id, _VERIFY_TESTS)
    found = first_shortcut(ranks, _VERIFY_TESTS)
    return None if found is None else (found, shortcut_reason(ranks, found, _VERIFY_TESTS))


def _can_spare(ctx: SynthContext, vertices: list[Vertex], vertex: Vertex, claim: Claim) -> bool:
    """Whether the answer stays the only page that fits without this fact of `vertex`."""
    at = vertex.claims.index(claim)
    vertex.claims.remove(claim)
    try:
        return not root_rivals(ctx, vertices)
    finally:
        vertex.claims.insert(at, claim)


def _spare_facts(ctx: SynthContext, vertices: list[Vertex]) -> list[tuple[Vertex, Claim]]:
    """Facts the answer stays pinned down without, longest first."""
    spare = [(v, c) for v in vertices for c in list(v.claims) if _can_spare(ctx, vertices, v, c)]
    spare.sort(key=lambda vc: -len(vc[1].text.split()))
    return spare


def _drop_fact(ctx: SynthContext, vertex: Vertex, claim: Claim, why: str) -> None:
    vertex.claims.remove(claim)
    ctx.spent.setdefault(vertex.page_id, set()).update(claim.sentence_ids)
    ctx.note(f"{why}: dropped a fact of vertex {vertex.index + 1}: {claim.text}")


def fit_length(ctx: SynthContext, vertices: list[Vertex]) -> str:
    limit = ctx.config.max_question_words
    while len((question := compose(vertices)).split()) > limit:
        spare = _spare_facts(ctx, vertices)
        if not spare:
            raise TreeRejected("too_long", f"{len(question.split())} words > {limit}")
        _drop_fact(ctx, *spare[0], why="too long")
    return question


def _holding(vertices: list[Vertex], fragment: str) -> list[tuple[Vertex, Claim]]:
    """The facts whose text shares most words with the clause that gave the answer away."""
    words = set(content_terms(fragment))
    scored = []
    for vertex in vertices:
        for claim in vertex.claims:
            overlap = len(words & set(content_terms(claim.text)))
            if overlap:
                scored.append((-overlap, vertex.index, vertex, claim))
    scored.sort(key=lambda item: item[:2])
    return [(v, c) for _, _, v, c in scored]


def _repair_shortcut(ctx: SynthContext, vertices: list[Vertex], found: dict[str, Any]) -> bool:
    """Drop the fact that gives the answer away when the answer stays pinned down without it."""
    for vertex, claim in _holding(vertices, found["query"]):
        if _can_spare(ctx, vertices, vertex, claim):
            _drop_fact(ctx, vertex, claim, why="shortcut")
            return True
    return False


def check_question(ctx: SynthContext, vertices: list[Vertex], question: str) -> str | None:
    """Why the question cannot be kept (leak, debris), or None."""
    leaks = leaked_names(ctx, vertices, question)
    if leaks:
        return f"leak: question names {', '.join(leaks)}"
    found = find_leak(question, leak_names(ctx, vertices), _VERIFY_TESTS)
    if found is not None:
        return f"leak: {found[0]}"
    problems = fluency_problems(question, ctx.config.max_question_words)
    if problems:
        return f"fluency: {'; '.join(problems[:3])}"
    return None


def write_question(ctx: SynthContext, vertices: list[Vertex]) -> str:
    question = fit_length(ctx, vertices)
    repairs = 0
    while (shortcut := shortcut_found(ctx, vertices, question)) is not None:
        found, why = shortcut
        if repairs == MAX_SHORTCUT_REPAIRS or not _repair_shortcut(ctx, vertices, found):
            raise TreeRejected("shortcut", why)
        repairs += 1
        question = compose(vertices)
    problem = check_question(ctx, vertices, question)
    if problem is not None:
        reason, _, detail = problem.partition(": ")
        raise TreeRejected(reason, detail)
    if ctx.config.polish:
        return _polish(ctx, vertices, question)
    return question


def keeps_clues(question: str, claims: list[Claim]) -> bool:
    return all(term_coverage(content_terms(c.text), question) >= POLISH_KEEP_COVERAGE for c in claims)


def _polish(ctx: SynthContext, vertices: list[Vertex], question: str) -> str:
    try:
        polished = ctx.ask("question_polish", {"question": question}, Polished, stage="question").question
    except TreeRejected as failed:  # polishing is optional: the composed question is always valid
        ctx.note(f"polish failed, composed question kept: {failed}")
        return question
    polished = " ".join(polished.split())
    claims = [c for v in vertices for c in [*v.claims, v.relation] if c is not None]
    if (
        check_question(ctx, vertices, polished) is None
        and shortcut_found(ctx, vertices, polished) is None
        and keeps_clues(polished, claims)
    ):
        return polished
    ctx.note("polished question dropped: it lost a clue, named an entity, read worse or was a shortcut")
    return question
