"""Question writing: a nested natural-language question from a tree's masked claims; the answer is the root.

The template is deterministic and always valid: the root's constraints become clauses of "Which entity ...?",
and each child's kind inside its parent's relation claim gets the child's own description in parentheses
("a country (one that ...)"), recursively. An LLM may polish the wording (`polish`); the polished text is kept
only if code finds no entity name in it and every constraint's key words still there.
"""

from __future__ import annotations

import re
from typing import Annotated

import msgspec
from msgspec import Meta

from ..records import Claim, Vertex
from .claims import bare_kind, clause_subject_rest
from .context import SynthContext, TreeRejected
from .masking import content_terms, mentions_name, term_coverage, word_set

POLISH_KEEP_COVERAGE = 0.8


class Polished(msgspec.Struct, kw_only=True):
    question: Annotated[str, Meta(min_length=10, max_length=1500)]


def _pronouns(text: str) -> str:
    text = re.sub(r"\b[Tt]his entity's\b", "its", text)
    return re.sub(r"\b[Tt]his entity\b", "it", text)


def clause(text: str) -> str:
    """A claim as a clause whose subject is the entity being described ("is X", "is such that ...")."""
    rest = clause_subject_rest(text)
    if rest is not None:
        return _pronouns(rest)
    body = text.rstrip(" .")
    first = body.split(" ", 1)[0]
    if first.lower() in _OPENERS or (first[1:].islower() and first.endswith(("ing", "ed", "ly"))):
        body = body[:1].lower() + body[1:]
    return "is such that " + _pronouns(body)


_OPENERS = word_set(
    """at in on during after before with by from as since while although the a an there this these those its
    it most many some several both all according known located situated based its"""
)


def _relation_clause(vertices: list[Vertex], child: Vertex) -> str:
    assert child.relation is not None
    text = child.relation.text
    inner = describe(vertices, child)
    kind = child.descriptor
    if not inner:
        return clause(text)
    for mention in (kind, bare_kind(kind)):
        if re.search(r"\b" + re.escape(mention) + r"\b", text):
            return clause(
                re.sub(r"\b" + re.escape(mention) + r"\b", f"{mention} (one that {inner})", text, count=1)
            )
    return clause(text) + f" (the {bare_kind(kind)} being one that {inner})"


def describe(vertices: list[Vertex], vertex: Vertex) -> str:
    """The clauses that pin `vertex` down, joined; children nested inside the relation that reaches them."""
    parts = [clause(c.text) for c in vertex.claims]
    parts += [_relation_clause(vertices, c) for c in vertices if c.parent == vertex.index and c.relation]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def template_question(vertices: list[Vertex]) -> str:
    return f"Which entity {describe(vertices, vertices[0])}?"


def leaked_names(ctx: SynthContext, vertices: list[Vertex], question: str) -> list[str]:
    """Names of tree entities the question contains: any vertex title, or any alias of the answer."""
    answer = [vertices[0].title, *ctx.aliases(vertices[0].page_id)]
    others = [name for v in vertices[1:] for name in (v.title, re.sub(r"\s*\([^)]*\)\s*$", "", v.title))]
    leaked = {n for n in answer if len(n) >= 3 and mentions_name(question, n)}
    # another vertex's name inside a longer name ("Asia" in "Southeast Asia") names a different entity
    leaked |= {n for n in others if len(n) >= 3 and mentions_name(question, n, standalone=True)}
    return sorted(leaked)


def keeps_constraints(question: str, claims: list[Claim]) -> bool:
    return all(term_coverage(content_terms(c.text), question) >= POLISH_KEEP_COVERAGE for c in claims)


def answer_aliases(ctx: SynthContext, root: Vertex) -> list[str]:
    return [name for name in ctx.aliases(root.page_id) if name != root.title]


def write_question(ctx: SynthContext, vertices: list[Vertex]) -> str:
    question = template_question(vertices)
    if len(question.split()) > ctx.config.max_question_words:
        raise TreeRejected("too_long", f"{len(question.split())} words > {ctx.config.max_question_words}")
    leaks = leaked_names(ctx, vertices, question)
    if leaks:
        raise TreeRejected("leak", f"question names {', '.join(leaks)}")
    if ctx.config.polish:
        try:
            polished = ctx.ask("question_polish", {"question": question}, Polished, stage="question").question
        except TreeRejected as failed:  # polishing is optional: the template question is always valid
            ctx.note(f"polish failed, template kept: {failed}")
            return question
        claims = [c for v in vertices for c in [*v.claims, v.relation] if c is not None]
        if not leaked_names(ctx, vertices, polished) and keeps_constraints(polished, claims):
            return polished.strip()
        ctx.note("polished question dropped: it lost a constraint or named an entity")
    return question
