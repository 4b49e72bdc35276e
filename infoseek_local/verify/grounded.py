"""Grounded check: every claim of the question's tree is supported by the sentence(s) it cites.

Code first: the cited sentences must be on the vertex's page (when the index is open), and the claim must be a
verbatim span of them or share most of its content tokens with them once the synth stage's masking ("this
entity", descriptors) and blurring ("the 1950s") are allowed for. Only claims that fail that go to the judge,
as a yes/no entailment question.
"""

from __future__ import annotations

from typing import Any, Literal

from msgspec import Struct

from ..llm.base import GenParams
from ..records import Claim, Question, Tree, Verdict
from ..text.grounding import overlap
from .context import CheckContext
from .text import content_tokens, normalize_answer

CHECK = "grounded"
TEMPLATE = "judge_entail"
_SHOWN_FAILURES = 3


class Entailment(Struct, frozen=True):
    """Structured output of the entailment judge."""

    supported: Literal["yes", "no"]


def _tree_claims(tree: Tree) -> list[tuple[int, int, str, Claim]]:
    """(vertex index, cited page id, cited page title, claim) for every claim of the tree.

    A vertex's relation claim links it to its parent and cites a sentence of the parent's page.
    """
    by_index = {v.index: v for v in tree.vertices}
    found = []
    for vertex in tree.vertices:
        if vertex.relation is not None:
            # a back-link's relation cites the vertex's own page (its page links to the parent)
            cited = vertex if vertex.relation_from == "child" else by_index.get(vertex.parent, vertex)
            found.append((vertex.index, cited.page_id, cited.title, vertex.relation))
        found += [(vertex.index, vertex.page_id, vertex.title, claim) for claim in vertex.claims]
    return found


def _sentences_on_page(claim: Claim, page_text: str) -> list[int]:
    """Positions (in claim.sentences) of cited sentences that are not on the page, whitespace-insensitive."""
    page = " ".join(page_text.split())
    return [i for i, s in enumerate(claim.sentences) if " ".join(s.split()) not in page]


def support_by_rules(
    claim: Claim, min_overlap: float, allowed: frozenset[str] = frozenset()
) -> tuple[bool, str]:
    """Whether code alone can accept the claim, and how (for the evidence)."""
    evidence = " ".join(claim.sentences)
    if normalize_answer(claim.text) and normalize_answer(claim.text) in normalize_answer(evidence):
        return True, "verbatim"
    share = overlap(claim.text, evidence, allowed)
    return share >= min_overlap, f"overlap {share:.2f}"


def check_grounded(question: Question, ctx: CheckContext) -> Verdict:
    tree = ctx.tree_of(question)
    if tree is None:
        return Verdict(
            question_id=question.id,
            check=CHECK,
            passed=False,
            reason=f"tree {question.tree_id!r} is not in the run's trees/, so its claims cannot be checked",
        )
    claims = _tree_claims(tree)
    if not claims:
        return Verdict(question_id=question.id, check=CHECK, passed=False, reason="the tree has no claims")
    methods: dict[str, int] = {}
    failures: list[dict[str, Any]] = []
    kinds = frozenset(t for v in tree.vertices for t in content_tokens(v.descriptor))
    for vertex_index, page_id, title, claim in claims:
        named = frozenset(t for kind in claim.name_kinds for t in content_tokens(kind))
        method, problem = _judge_claim(claim, page_id, kinds | named, ctx)
        if problem:
            failures.append({"vertex": vertex_index, "page": title, "claim": claim.text, "problem": problem})
        else:
            kind = method.split()[0]
            methods[kind] = methods.get(kind, 0) + 1
    evidence: dict[str, Any] = {"claims": len(claims), "supported_by": methods}
    if failures:
        evidence["failures"] = failures[:_SHOWN_FAILURES]
        first = failures[0]
        return Verdict(
            question_id=question.id,
            check=CHECK,
            passed=False,
            reason=(
                f"{len(failures)} of {len(claims)} claims not supported by their cited text; first: "
                f"{first['claim']!r} on {first['page']!r} ({first['problem']})"
            ),
            evidence=evidence,
        )
    how = ", ".join(f"{n} {kind}" for kind, n in sorted(methods.items()))
    return Verdict(
        question_id=question.id,
        check=CHECK,
        passed=True,
        reason=f"all {len(claims)} claims supported ({how})",
        evidence=evidence,
    )


def _judge_claim(claim: Claim, page_id: int, kinds: frozenset[str], ctx: CheckContext) -> tuple[str, str]:
    """(how it was supported, "") or ("", why not)."""
    if not claim.sentences:
        return "", "cites no sentence"
    if ctx.index is not None:
        missing = _sentences_on_page(claim, ctx.index.page(page_id).text)
        if missing:
            return "", f"cited sentence {claim.sentences[missing[0]][:80]!r} is not on the page"
    ok, how = support_by_rules(claim, ctx.config.min_overlap, kinds)
    if ok:
        return how, ""
    if ctx.llm is None:
        return "", f"{how} below {ctx.config.min_overlap} and no judge to ask"
    if not ctx.config.grounded_judge:
        return "", f"{how} below {ctx.config.min_overlap}; judge switched off (grounded_judge)"
    sentences = "\n".join(f"<sentence>{s}</sentence>" for s in claim.sentences)
    answer = ctx.llm.ask(
        TEMPLATE,
        {"sentences": sentences, "claim": claim.text},
        Entailment,
        stage="verify.grounded",
        params=GenParams(temperature=0.0, max_tokens=16),
    ).value
    if answer.supported == "yes":
        return f"judge ({how})", ""
    return "", f"{how}; judge says not entailed"
