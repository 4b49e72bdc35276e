"""One question card: the question and answer, the tree as a graph, every claim with the sentence it cites,
and the verdict lines. Long strings are clipped so one hostile page cannot blow the report up."""

from __future__ import annotations

from ..records import Claim, Vertex
from .cards import Card, CardSample, evidence_note, verdict_headline
from .escape import clip, esc, safe_href
from .tree_graph import tree_svg

_SENTENCE_CHARS, _CLAIM_CHARS, _TITLE_CHARS, _QUESTION_CHARS = 600, 400, 200, 3000


def _link(url: str) -> str:
    href = safe_href(url)
    text = esc(clip(url, 160))
    if href is None:
        return f'<span class="url">{text}</span>'
    return f'<a class="url" href="{href}" target="_blank" rel="noopener noreferrer">{text}</a>'


def _claim(label: str, claim: Claim) -> str:
    mark = '<span class="ok">✓</span>' if claim.grounded else '<span class="bad">✗ ungrounded</span>'
    cited = "".join(
        f'<blockquote><span class="num">[{esc(number)}]</span> {esc(clip(sentence, _SENTENCE_CHARS))}</blockquote>'
        for number, sentence in zip(claim.sentence_ids, claim.sentences, strict=False)
    )
    blurred = (
        f'<div class="muted">blurred from: {esc(clip(claim.blurred_from, _CLAIM_CHARS))}</div>'
        if claim.blurred_from
        else ""
    )
    return (
        f'<div class="claim">{mark} <span class="claim-kind">{esc(label)}</span> '
        f"{esc(clip(claim.text, _CLAIM_CHARS))}{blurred}{cited}</div>"
    )


def _vertex(vertex: Vertex) -> str:
    parts = [
        f'<li value="{vertex.index + 1}"><b>{esc(clip(vertex.title, _TITLE_CHARS))}</b>'
        + (f' <span class="muted">({esc(clip(vertex.descriptor, 80))})</span>' if vertex.descriptor else "")
        + f"<br>{_link(vertex.url)}"
    ]
    if vertex.relation is not None:
        label = "links to its parent" if vertex.relation_from == "child" else "linked from its parent"
        label += " (a mention in the text):" if vertex.edge_kind == "mention" else ":"
        parts.append(_claim(label, vertex.relation))
    parts += [_claim("fact:", claim) for claim in vertex.claims]
    parts.append("</li>")
    return "".join(parts)


def card_html(card: Card, ident: str, verify_finished: bool, run_label: str = "") -> str:
    q = card.question
    aliases = (
        f' <span class="muted">(aliases: {esc(clip(", ".join(q.aliases[:8]), 300))})</span>'
        if q.aliases
        else ""
    )
    meta = [esc(q.id), f"{q.hops} hops", f"{q.vertices} vertices"]
    if q.oracle_searches >= 0:
        meta.append(
            f"oracle {'solved in' if q.oracle_solved else 'gave up after'} {q.oracle_searches} searches"
        )
    headline = verdict_headline(card, verify_finished)
    state = "ok" if headline == "accepted" else "bad" if headline.startswith("rejected") else "muted"
    meta.append(f'verify: <span class="{state}">{esc(headline)}</span>')
    if card.samples:
        meta.append(f"trajectories: {card.correct}/{card.samples} correct")
    if card.tree is not None:
        graph = tree_svg(card.tree, ident)
        vertices = "".join(_vertex(v) for v in card.tree.vertices)
        body = f'<div class="graph">{graph}</div><ol class="vertices">{vertices}</ol>'
    else:
        body = f'<p class="muted">tree {esc(q.tree_id)} not found among the finished tree shards</p>'
    verdicts = "".join(
        f'<li class="{"pass" if v.passed else "fail"}"><b>{"pass" if v.passed else "FAIL"} {esc(v.check)}</b>: '
        f"{esc(clip(v.reason, 400))}"
        + (
            f' <span class="muted">[{esc(clip(note, 300))}]</span>'
            if (note := evidence_note(v.evidence))
            else ""
        )
        + "</li>"
        for v in card.verdicts
    )
    return (
        f'<article class="card" id="{esc(ident)}">'
        + (f'<p class="run-tag">{esc(run_label)}</p>' if run_label else "")
        + f'<p class="question">{esc(clip(q.question, _QUESTION_CHARS))}</p>'
        f'<p class="answer"><b>Answer:</b> {esc(clip(q.answer, _TITLE_CHARS))}{aliases}</p>'
        f'<p class="meta">{" · ".join(meta)}</p><div class="card-body">{body}</div>'
        + (f'<ul class="verdicts">{verdicts}</ul>' if verdicts else "")
        + "</article>"
    )


def sample_note(sample: CardSample) -> str:
    shown = len(sample.cards)
    if shown < sample.pool_size:
        return (
            f"{shown} of {sample.pool_size:,} {esc(sample.pool)}: a sample (those whose ids hash lowest, so the "
            "same seeds in every run) to keep the page small; <code>--cards N</code> shows more"
        )
    return f"all {esc(sample.pool)} ({shown})"


def cards_html(sample: CardSample, run_number: int, verify_finished: bool) -> str:
    if not sample.cards:
        return '<p class="none">no questions to draw yet</p>'
    cards = "".join(
        card_html(card, f"r{run_number}-c{n}", verify_finished) for n, card in enumerate(sample.cards)
    )
    return f'<p class="note">{sample_note(sample)}</p>{cards}'
