"""Every record type the pipeline writes, as msgspec Structs.

Evolve by msgspec's rules: a new field gets a default and goes last; never reorder, rename or retype a field.
Records written to shards carry a tag so a reader can tell what it holds.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from msgspec import Struct, field

# The record schema this code writes. Every shard's completion marker records it (store.mark_done); a reader
# refuses a shard marked by a newer schema, and takes one marked without a version (written before markers
# held it) as version 1.
SCHEMA_VERSION = 1

# Fixed vocabularies: decoding a record with any other value fails, naming the field ("$.status").
# Extend one by adding a value (old records stay readable); never rename or drop a value.
TreeStatus = Literal["accepted", "rejected"]
ClaimKind = Literal["attribute", "relation"]  # relation: the claim links its vertex to the parent
LinkKind = Literal["hyperlink", "mention"]  # an <a href>, or the page's text names the target
RelationFrom = Literal["parent", "child"]  # which page of the edge the relation's cited sentence is on
# "" in records written before end reasons were kept
EndReason = Literal["", "answer", "turn_limit", "token_budget", "context", "llm_error", "no_candidates"]
AnswerMatchKind = Literal["", "exact", "alias", "llm", "none"]  # "": written before it was kept
TrajectoryOrigin = Literal["agent", "guided"]


class Provenance(Struct, frozen=True, kw_only=True):
    """Where a record came from, so any output can be reproduced."""

    tool_version: str
    model: str = ""
    model_sha256: str = ""
    template_version: str = ""
    seed: int = 0
    config: dict[str, Any] = field(default_factory=dict)


# ── corpus and index ─────────────────────────────────────────────────────────────────────────────────────


class RawLink(Struct, array_like=True, frozen=True):
    """An outgoing link as found in the HTML: canonical absolute URL and its anchor text."""

    url: str
    anchor: str


class ExtractedPage(Struct, tag="extracted_page", kw_only=True):
    """One HTML response after text and link extraction, before ids are assigned."""

    url: str
    title: str
    text: str
    links: list[RawLink]
    text_hash: str
    source: str
    offset: int
    lang: str = ""
    truncated: bool = False


class OutLink(Struct, array_like=True, frozen=True, omit_defaults=True):
    """A link resolved to an in-corpus page id. `kind` is "hyperlink" (an <a href>) or "mention" (the page's
    text names the target: `anchor` is the words as written, `offset` their character offset in the text of
    the page the link starts from)."""

    target: int
    anchor: str
    kind: LinkKind = "hyperlink"
    offset: int = -1


class Page(Struct, tag="page", kw_only=True):
    """A page of the index's page store; `id` is its dense position in the store."""

    id: int
    url: str
    title: str
    text: str
    out_links: list[OutLink]
    text_hash: str
    lang: str = ""
    source: str = ""
    offset: int = 0


class SearchHit(Struct, kw_only=True):
    """A ranked search result with its stored fields."""

    page_id: int
    url: str
    title: str
    score: float
    snippet: str = ""


# ── synthesis ────────────────────────────────────────────────────────────────────────────────────────────


class Claim(Struct, kw_only=True):
    """A fact about a vertex's entity, citing numbered sentences of that vertex's page."""

    text: str
    sentence_ids: list[int]
    sentences: list[str]
    kind: ClaimKind = "attribute"
    grounded: bool = False
    blurred_from: str = ""
    # kinds that stand in the clue for other names its sentence gives ("a mountain range" for "the Pamir
    # Mountains"): words grounding allows although the sentence does not hold them
    name_kinds: list[str] = []


class Vertex(Struct, kw_only=True):
    """An entity of a research tree: a real page of the corpus."""

    index: int
    page_id: int
    url: str
    title: str
    parent: int = -1
    relation: Claim | None = None
    claims: list[Claim] = field(default_factory=list)
    descriptor: str = ""  # synth: the entity's kind ("a country"), used in place of its name in questions
    # which page the relation's cited sentence is on: "parent" (the parent links to this vertex) or "child"
    # (this vertex's page links to the parent: a back-link, read as "a country in which a city ...")
    relation_from: RelationFrom = "parent"
    # the kind of link the relation follows: "hyperlink" or "mention" (index/protocol.py link kinds)
    edge_kind: LinkKind = "hyperlink"


class Tree(Struct, tag="tree", kw_only=True):
    """A research tree; vertex 0 is the root, whose entity is the answer."""

    id: str
    seed_page_id: int
    vertices: list[Vertex]
    status: TreeStatus
    provenance: Provenance
    reject_reason: str = ""
    notes: list[str] = field(default_factory=list)
    llm_calls: int = 0  # synth: LLM calls and tokens (prompt + completion) spent on this tree
    llm_tokens: int = 0
    instruction_sentences: int = 0  # page sentences that speak to a model, kept out of its clues


class Question(Struct, tag="question", kw_only=True):
    """A blurred multi-hop question whose answer is the tree's root entity."""

    id: str
    tree_id: str
    question: str
    answer: str
    aliases: list[str]
    hops: int
    vertices: int
    gold_page_ids: list[int]
    gold_urls: list[str]
    provenance: Provenance
    # oracle.oracle_solve, following the tree bottom-up: searches it ran (-1: not measured), root reached
    oracle_searches: int = -1
    oracle_solved: bool = False


# ── verification ─────────────────────────────────────────────────────────────────────────────────────────


class Verdict(Struct, tag="verdict", kw_only=True):
    """The outcome of one check on one question."""

    question_id: str
    check: str
    passed: bool
    reason: str
    evidence: dict[str, Any] = field(default_factory=dict)


# ── trajectories ─────────────────────────────────────────────────────────────────────────────────────────


class AgentTurn(Struct, kw_only=True):
    think: str
    queries: list[str] = field(default_factory=list)
    information: str = ""
    answer: str | None = None
    # agent bookkeeping (appended, defaulted)
    retrieved_page_ids: list[int] = field(default_factory=list)
    repeated_queries: list[str] = field(default_factory=list)  # not re-run: already searched
    dropped_facts: int = 0  # refiner facts not supported by the retrieved text
    forced: bool = False  # the answer-only schema was imposed (last turn or query loop)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    seconds: float = 0.0


class Reward(Struct, kw_only=True):
    format: float
    answer: float
    retrieval_recall: float
    total: float
    searches: int = 0


class Trajectory(Struct, tag="trajectory", kw_only=True):
    id: str
    question_id: str
    sample_index: int
    turns: list[AgentTurn]
    transcript: str
    final_answer: str
    correct: bool
    reward: Reward
    searches: int
    retrieved_page_ids: list[int]
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    provenance: Provenance
    end_reason: EndReason = ""
    repeated_queries: int = 0
    answer_match: AnswerMatchKind = ""  # how the answer was matched
    # "agent" (a model searched) or "guided" (code followed the question's research tree with real searches)
    origin: TrajectoryOrigin = "agent"


# ── LLM accounting ───────────────────────────────────────────────────────────────────────────────────────


class LLMCallRecord(Struct, tag="llm_call", kw_only=True):
    """One LLM call as logged for `stats`: what it cost and whether the cache answered it."""

    stage: str
    model: str
    template: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    cache_hit: bool
    retries: int = 0
    ok: bool = True
    error: str = ""
    backend: str = ""
    repairs: int = 0  # answers decoded only after escaping raw control characters


class LLMCacheEntry(Struct, tag="llm_cache", kw_only=True):
    """A finished LLM call kept so a rerun replays it: `key` hashes model, template, prompt, params, seed."""

    key: str
    text: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float
    finish_reason: str = ""


def to_builtins(record: Struct) -> Any:
    """A JSON-ready view of a record (for --json output and exports)."""
    return msgspec.to_builtins(record)
