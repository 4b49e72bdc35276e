"""Question writing: a nested natural-language question from a tree's masked claims; the answer is the root.

The template is deterministic and always valid: the root's constraints become clauses of "Which entity ...?",
and each child's kind inside its parent's relation claim gets the child's own description in parentheses
("a country (one that ...)"), recursively. An LLM may polish the wording (`polish`); the polished text is kept
only if code finds no entity name in it and every constraint's key words still there.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

import msgspec
from msgspec import Meta

from ..records import Claim, Vertex
from ..verify.context import VerifyConfig
from ..verify.leak import find_leak
from ..verify.shortcut import first_shortcut, shortcut_ranks
from ..verify.text import search_query
from .claims import bare_kind, clause_subject_rest
from .context import SynthContext, TreeRejected
from .diffusion import widen
from .masking import STOPWORDS, acronyms_in, content_terms, mentions_name, shorten, term_coverage, word_set
from .retrospection import (
    blur_steps,
    blur_until_hidden,
    check_grounding,
    constraints_of,
    find_rival,
    mask_other_entities,
)

POLISH_KEEP_COVERAGE = 0.8


class Polished(msgspec.Struct, kw_only=True):
    question: Annotated[str, Meta(min_length=10, max_length=1500)]


def _pronouns(text: str) -> str:
    text = re.sub(r"\b[Tt]his entity's\b", "its", text)
    return re.sub(r"\b[Tt]his entity\b", "it", text)


Clause = tuple[str, str]  # (how it attaches: "vp" | "whose" | "which", the words)


def clause(text: str) -> Clause:
    """A claim as something said of the entity: a verb phrase ("vp": "borders X"), a "whose" phrase ("its
    capital is X" -> "capital is X"), or a sentence about it ("which": "for which the lakes are ...")."""
    rest = clause_subject_rest(text)
    if rest is not None:  # "Which entity are a mountain range" (a plural name) -> "is"
        return "vp", _pronouns(re.sub(r"^(are|were|have)\b", lambda m: _SINGULAR[m.group(1)], rest))
    body = text.rstrip(" .")
    first = body.split(" ", 1)[0].strip(",;:")
    if first.lower() in _OPENERS or (first[1:].islower() and first.endswith(("ing", "ed", "ly"))):
        body = body[:1].lower() + body[1:]
    body = _pronouns(body)
    if re.match(r"[a-z]+(?:ed|ing)\b", body) and " it " not in f" {body} ":
        return "vp", "is " + body  # "situated on a river" -> "is situated on a river"
    if body.startswith("its ") and " it " not in f" {body} ":
        return "whose", body[len("its ") :]
    fronted = _FRONTED.match(body)
    if fronted and len(fronted.group("lead").split()) <= 16:
        # "with a population of X, it is the most populous" -> "is the most populous ..., with a population of X"
        return "vp", f"{fronted.group('vp')}, {fronted.group('lead')}"
    return "which", body


# an opening phrase, then the entity as subject: "with a population of X, it is ...", "by land area it is ..."
_FRONTED = re.compile(
    r"^(?P<lead>[a-z][^;]*?(?<!\bof)(?<!\bto)(?<!\bfrom)(?<!\bwith)(?<!\bby)(?<!\bin)(?<!\bon)(?<!\bat)"
    r"(?<!\binto)(?<!\band)(?<!\bthat)(?<!\bwhich)),?\s+it\s+(?P<vp>(?:is|was|has|had|lies|borders|covers|"
    r"shares|forms|contains|includes|occupies|remains|became|ranks|spans|stretches|extends)\b(?:(?!\bit\b).)*)$"
)

_SINGULAR = {"are": "is", "were": "was", "have": "has"}
_OPENERS = STOPWORDS | word_set(
    """at in on during after before with by from as since while although the a an there this these those its
    it most many some several both all according known located situated based its one to unlike together
    outside along among despite following under over within between for of scholars almost nearly about"""
)


def _attach(kind: str, words: str) -> str:
    return {"vp": words, "whose": "whose " + words, "which": "for which " + words}[kind]


def relative(parts: list[Clause]) -> str:
    """Clauses as one relative phrase about "one"/"the entity": "that borders X and is Y, whose capital is Z,
    and for which ..."; verb phrases first, so "that" is said once."""
    verbs = [words for kind, words in parts if kind == "vp"]
    pieces = [_join(verbs, " and ")] if verbs else []
    pieces += [_attach(kind, words) for kind, words in parts if kind != "vp"]
    text = _join(pieces, ", and ")
    return ("that " + text) if verbs else text


def _join(items: list[str], last: str) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + last + items[-1]


def _relation_clause(vertices: list[Vertex], child: Vertex) -> Clause:
    assert child.relation is not None
    text = child.relation.text
    parts = describe(vertices, child)
    kind = child.descriptor
    if not parts:
        return clause(text)
    inner = relative(parts)
    for mention in (kind, bare_kind(kind)):
        if re.search(r"\b" + re.escape(mention) + r"\b", text):
            return clause(
                re.sub(r"\b" + re.escape(mention) + r"\b", f"{mention} (one {inner})", text, count=1)
            )
    how, words = clause(text)
    return how, words + f" (the {bare_kind(kind)} being one {inner})"


def describe(vertices: list[Vertex], vertex: Vertex) -> list[Clause]:
    """The clauses that pin `vertex` down; children nested inside the relation that reaches them."""
    parts = [clause(c.text) for c in vertex.claims]
    return parts + [
        _relation_clause(vertices, c) for c in vertices if c.parent == vertex.index and c.relation
    ]


def template_question(vertices: list[Vertex]) -> str:
    """ "Which entity borders X and is Y, whose capital is Z?"; "Which is the entity whose ...?" when no
    clause has the entity as its subject."""
    phrase = relative(describe(vertices, vertices[0]))
    if phrase.startswith("that "):
        return f"Which entity {phrase[len('that ') :]}?"
    return f"Which is the entity {phrase}?"


def leaked_names(ctx: SynthContext, vertices: list[Vertex], question: str) -> list[str]:
    """Names of tree entities the question contains: any vertex title, or any alias of the answer."""
    answer = [vertices[0].title, *ctx.aliases(vertices[0].page_id)]
    others = [name for v in vertices[1:] for name in (v.title, re.sub(r"\s*\([^)]*\)\s*$", "", v.title))]
    leaked = {n for n in [*answer, *others] if len(n) >= 3 and mentions_name(question, n)}
    # acronyms of the answer's names and of any vertex ("MSEA" for Mainland Southeast Asia)
    leaked |= set(acronyms_in(question, [*answer, *others]))
    return sorted(leaked)


def leak_names(ctx: SynthContext, vertices: list[Vertex]) -> list[tuple[str, str]]:
    """The names verify's leak check looks for, as it builds them from the question and its tree."""
    names = [(vertices[0].title, "answer")] + [(a, "alias") for a in answer_aliases(ctx, vertices[0])]
    return names + [(v.title, "answer page" if v.index == 0 else f"vertex {v.index}") for v in vertices]


def keeps_constraints(question: str, claims: list[Claim]) -> bool:
    return all(term_coverage(content_terms(c.text), question) >= POLISH_KEEP_COVERAGE for c in claims)


def answer_aliases(ctx: SynthContext, root: Vertex) -> list[str]:
    return [name for name in ctx.aliases(root.page_id) if name != root.title]


MAX_SHORTCUT_REPAIRS = 4
_SHORTCUT_TEST = VerifyConfig()  # verify's `shortcut` and `leak` tests, run with their defaults


def shortcut_found(ctx: SynthContext, vertices: list[Vertex], question: str) -> dict[str, Any] | None:
    """The search (whole question, then each clause) that ranks the answer page first, as verify tests it."""
    ranks = shortcut_ranks(ctx.index, question, vertices[0].page_id, _SHORTCUT_TEST)
    return first_shortcut(ranks, _SHORTCUT_TEST.shortcut_rank)


def _root_rank(ctx: SynthContext, root: Vertex, text: str) -> int:
    hits = ctx.index.search(search_query(text), _SHORTCUT_TEST.search_depth)
    return next((i for i, hit in enumerate(hits) if hit.page_id == root.page_id), len(hits) + 1)


def _culprits(ctx: SynthContext, vertices: list[Vertex], found: dict[str, Any]) -> list[tuple[Vertex, Claim]]:
    """(vertex, claim) to repair, most revealing first: a clause's own claim, else the root's claims (and the
    relations to its children) by how high their own search ranks the answer page."""
    root = vertices[0]
    owned = [(root, c) for c in root.claims] + [
        (root, v.relation) for v in vertices if v.parent == 0 and v.relation is not None
    ]
    fragment = re.sub(r"^Which (?:is the )?entity\s+", "", found["query"].strip())
    if fragment != template_question(vertices) and len(fragment) > 3:
        everything = [(v, c) for v in vertices for c in v.claims] + [
            (vertices[v.parent], v.relation) for v in vertices if v.relation is not None
        ]
        holding = [(v, c) for v, c in everything if fragment in clause(c.text)[1] or fragment in c.text]
        if holding:
            return holding
    return sorted(owned, key=lambda vc: _root_rank(ctx, root, vc[1].text))


def _repair_shortcut(ctx: SynthContext, vertices: list[Vertex], found: dict[str, Any]) -> bool:
    """Blur the most revealing claim; a root attribute claim that stays revealing is dropped (if the root
    stays pinned down without it). False when nothing could be changed."""
    for vertex, claim in _culprits(ctx, vertices, found):
        keep = next((v.descriptor for v in vertices if v.relation is claim), "")
        before = claim.text
        for step in blur_steps(ctx, vertex):
            blurred = step(claim.text)
            if blurred != claim.text and (not keep or keep in blurred) and len(content_terms(blurred)) >= 2:
                claim.blurred_from = claim.blurred_from or before
                claim.text = blurred
        if claim.text != before and shortcut_found(ctx, vertices, template_question(vertices)) is None:
            ctx.note(f"shortcut: blurred a claim of vertex {vertex.index + 1}: {claim.text}")
            return True
        if vertex.index == 0 and claim in vertex.claims:
            vertex.claims.remove(claim)
            ctx.spent.setdefault(vertex.page_id, set()).update(claim.sentence_ids)
            if constraints_of(vertices, vertex) and find_rival(ctx, vertices, vertex) is None:
                ctx.note(f"shortcut: dropped a claim of the answer: {claim.text}")
                return True
            if _replace_clue(ctx, vertices, vertex):
                ctx.note(f"shortcut: replaced a claim of the answer: {claim.text}")
                return True
            vertex.claims.append(claim)  # the answer is not unique without it
        if claim.text != before:
            return True  # blurred: test again (another clause may be the shortcut now)
    return False


def _replace_clue(ctx: SynthContext, vertices: list[Vertex], root: Vertex) -> bool:
    """Another sentence of the answer's page as its clue, kept if it is not revealing and pins it down."""
    if not widen(ctx, vertices, root, stage="retrospection"):
        return False
    new = root.claims[-1]
    mask_other_entities(ctx, vertices)
    if blur_until_hidden(ctx, root, new) and find_rival(ctx, vertices, root) is None:
        return True
    root.claims.remove(new)
    ctx.spent.setdefault(root.page_id, set()).update(new.sentence_ids)
    return False


def fit_length(ctx: SynthContext, vertices: list[Vertex]) -> str:
    """The template question within `max_question_words`: the longest clues are cut to their first clause,
    then clues a vertex can do without (it stays pinned down) go; TreeRejected("too_long") otherwise."""
    limit = ctx.config.max_question_words
    while len(question := template_question(vertices).split()) > limit:
        clues = [(v, c, "") for v in vertices for c in v.claims]
        clues += [(vertices[v.parent], v.relation, v.descriptor) for v in vertices if v.relation is not None]
        clues.sort(key=lambda vck: -len(vck[1].text.split()))
        if not (_cut_a_clue(clues) or _drop_a_clue(ctx, vertices, clues)):
            raise TreeRejected("too_long", f"{len(question)} words > {limit}")
    return " ".join(question)


def _cut_a_clue(clues: list[tuple[Vertex, Claim, str]]) -> bool:
    for _, claim, keep in clues:
        short = shorten(claim.text)
        if short != claim.text and (not keep or keep in short) and len(content_terms(short)) >= 2:
            claim.blurred_from = claim.blurred_from or claim.text
            claim.text = short
            return True
    return False


def _drop_a_clue(ctx: SynthContext, vertices: list[Vertex], clues: list[tuple[Vertex, Claim, str]]) -> bool:
    for vertex, claim, _ in clues:
        if claim not in vertex.claims or len(constraints_of(vertices, vertex)) < 2:
            continue
        at = vertex.claims.index(claim)
        vertex.claims.remove(claim)
        if find_rival(ctx, vertices, vertex) is None:
            ctx.spent.setdefault(vertex.page_id, set()).update(claim.sentence_ids)
            ctx.note(f"too long: dropped a claim of vertex {vertex.index + 1}: {claim.text}")
            return True
        vertex.claims.insert(at, claim)
    return False


def write_question(ctx: SynthContext, vertices: list[Vertex]) -> str:
    question = fit_length(ctx, vertices)
    for _ in range(MAX_SHORTCUT_REPAIRS):
        found = shortcut_found(ctx, vertices, question)
        if found is None:
            break
        if not _repair_shortcut(ctx, vertices, found):
            raise TreeRejected("shortcut", f"one search with {found['query']!r} ranks the answer page first")
        check_grounding(ctx, vertices)
        question = template_question(vertices)
    else:
        if shortcut_found(ctx, vertices, question) is not None:
            raise TreeRejected("shortcut", f"still found by one search after {MAX_SHORTCUT_REPAIRS} repairs")
    question = fit_length(ctx, vertices)
    leaks = leaked_names(ctx, vertices, question)
    if leaks:
        raise TreeRejected("leak", f"question names {', '.join(leaks)}")
    found = find_leak(question, leak_names(ctx, vertices), _SHORTCUT_TEST)
    if found is not None:  # verify's leak test (near-spellings, acronyms): reject here, not after the run
        raise TreeRejected("leak", found[0])
    if ctx.config.polish:
        try:
            polished = ctx.ask("question_polish", {"question": question}, Polished, stage="question").question
        except TreeRejected as failed:  # polishing is optional: the template question is always valid
            ctx.note(f"polish failed, template kept: {failed}")
            return question
        claims = [c for v in vertices for c in [*v.claims, v.relation] if c is not None]
        if (
            not leaked_names(ctx, vertices, polished)
            and find_leak(polished, leak_names(ctx, vertices), _SHORTCUT_TEST) is None
            and keeps_constraints(polished, claims)
        ):
            return polished.strip()
        ctx.note("polished question dropped: it lost a constraint or named an entity")
    return question
