"""The tagged text form of a trajectory, as search-agent trainers (Search-R1 and its descendants) consume it.

A transcript is the assistant side of the conversation, one block per turn:

    <think>reasoning</think>
    <search>first query</search>
    <search>second query</search>
    <information>facts the environment returned</information>
    ...
    <think>reasoning</think>
    <answer>final answer</answer>

A turn with several queries has one `<search>` block per query followed by one `<information>` block (Search-R1
itself stops generation at the first `</search>`; sample with `--max-queries 1` for strictly one query per turn).
`<information>` blocks are written by the environment, not the model: trainers mask them out of the loss, and
`transcript_segments` tells them apart. Field text is cleaned with `clean_field` before it is stored, so the
tags can never appear inside a block and `parse_transcript(render_transcript(turns))` gives the turns back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import InputError
from ..records import AgentTurn

TAGS = ("think", "search", "information", "answer")
_TAG_RE = re.compile(r"</?\s*(think|search|information|answer)\s*>", re.IGNORECASE)
_BLOCK_RE = re.compile(r"<(think|search|information|answer)>(.*?)</\1>", re.DOTALL)

# The instruction Search-R1 puts before the question (its `make_prefix`), adapted to several queries per turn;
# exporters use it as the user prompt so a trainer sees the same contract the transcripts follow.
SEARCH_R1_INSTRUCTION = (
    "Answer the given question. You must conduct reasoning inside <think> and </think> first every time you "
    "get new information. After reasoning, if you find you lack some knowledge, you can call a search engine "
    "by <search> query </search> and it will return the top searched results between <information> and "
    "</information>. You can search as many times as you want. If you find no further external knowledge "
    "needed, you can directly provide the answer inside <answer> and </answer>, without detailed "
    "illustrations. For example, <answer> Beijing </answer>."
)


def search_r1_prompt(question: str) -> str:
    """The user prompt that goes with a transcript: Search-R1's instruction, then the question."""
    return f"{SEARCH_R1_INSTRUCTION} Question: {question.strip()}\n"


def clean_field(text: str) -> str:
    """Text made safe to sit inside a block: transcript tags defused, surrounding whitespace stripped.

    A page or a model may write `</information>` or `<answer>`; left alone it would end a block early or fake
    an answer. The tag becomes `(answer)`-style text, which reads the same to a person.
    """
    return _TAG_RE.sub(lambda m: f"({m.group(1).lower()})", text).strip()


def render_transcript(turns: list[AgentTurn]) -> str:
    """The tagged transcript of `turns` (fields are cleaned again here, so any input renders well-formed)."""
    blocks: list[str] = []
    for turn in turns:
        blocks.append(f"<think>{clean_field(turn.think)}</think>")
        if turn.answer is not None:
            blocks.append(f"<answer>{clean_field(turn.answer)}</answer>")
            continue
        blocks.extend(f"<search>{clean_field(query)}</search>" for query in turn.queries)
        if turn.queries:
            blocks.append(f"<information>{clean_field(turn.information)}</information>")
    return "\n".join(blocks)


@dataclass(frozen=True)
class Segment:
    """One block of a transcript: its tag, its text, and whether the model (not the environment) wrote it."""

    tag: str
    text: str

    @property
    def generated(self) -> bool:
        return self.tag != "information"


def transcript_segments(text: str) -> list[Segment]:
    """The blocks of `text` in order; raises InputError at the first character that is not inside a block."""
    segments: list[Segment] = []
    position = 0
    for match in _BLOCK_RE.finditer(text):
        gap = text[position : match.start()]
        if gap.strip():
            raise InputError(f"transcript offset {position}: text outside any block: {gap.strip()[:40]!r}")
        segments.append(Segment(match.group(1), match.group(2).strip()))
        position = match.end()
    tail = text[position:]
    if tail.strip():
        raise InputError(f"transcript offset {position}: unclosed or unknown block: {tail.strip()[:40]!r}")
    return segments


def parse_transcript(text: str) -> list[AgentTurn]:
    """Turns back from a transcript; raises InputError (with the offending block number) when out of order.

    Grammar: (think (search+ information)?)* (think answer)?  — a transcript cut by the turn or token limit has no
    answer, and its last turn may lack information.
    """
    turns: list[AgentTurn] = []
    current: AgentTurn | None = None
    expected = {"think"}
    for number, segment in enumerate(transcript_segments(text), start=1):
        if segment.tag not in expected:
            wanted = " or ".join(f"<{tag}>" for tag in sorted(expected)) or "nothing after <answer>"
            raise InputError(f"transcript block {number}: <{segment.tag}> where {wanted} was expected")
        if segment.tag == "think":
            current = AgentTurn(think=segment.text)
            turns.append(current)
            expected = {"think", "search", "answer"}  # a turn whose queries were all repeats has none
        elif segment.tag == "search":
            assert current is not None
            current.queries.append(segment.text)
            expected = {"search", "information"}
        elif segment.tag == "information":
            assert current is not None
            current.information = segment.text
            expected = {"think"}
        else:
            assert current is not None
            current.answer = segment.text
            expected = set()
    return turns


def final_answer(text: str) -> str | None:
    """The text of the transcript's `<answer>` block, or None when it ended without one."""
    turns = parse_transcript(text)
    return turns[-1].answer if turns else None
