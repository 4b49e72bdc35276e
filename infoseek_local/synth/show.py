"""Find a tree of a run and draw it with rich: vertices, claims, cited sentences, URLs, question and answer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import InputError
from ..records import Claim, Question, Tree
from ..run.layout import QUESTIONS, TREES, RunLayout


def find_tree(run_dir: Path, ident: str | None) -> tuple[Tree, Question | None]:
    """The tree whose id (t-…), question id (q-…) or bare hex id starts with `ident`; else the first accepted."""
    run = RunLayout(run_dir)
    key = None if ident is None else ident.removeprefix("t-").removeprefix("q-")
    chosen = None
    for tree in run.read(TREES):
        if key is None:
            if tree.status == "accepted":
                chosen = tree
                break
            chosen = chosen or tree
        elif tree.id.removeprefix("t-").startswith(key):
            chosen = tree
            break
    if chosen is None:
        what = f"no tree with id {ident!r}" if ident else "no finished trees yet"
        raise InputError(f"{run.trees}: {what}; `infoseek-local stats {run_dir}` shows what the run holds")
    question = next((q for q in run.read(QUESTIONS) if q.tree_id == chosen.id), None)
    return chosen, question


def _claim_node(parent: Any, label: str, claim: Claim) -> None:
    from rich.markup import escape

    mark = "[green]✓[/]" if claim.grounded else "[red]✗[/]"
    node = parent.add(f"{mark} [bold]{label}[/] {escape(claim.text)}")
    if claim.blurred_from:
        node.add(f"[dim]blurred from: {escape(claim.blurred_from)}[/]")
    for number, sentence in zip(claim.sentence_ids, claim.sentences, strict=False):
        node.add(f"[dim]cites [{number}] {escape(sentence)}[/]")


def render_tree(tree: Tree, question: Question | None) -> Any:
    from rich.console import Group
    from rich.markup import escape
    from rich.panel import Panel
    from rich.tree import Tree as RichTree

    status = "[green]accepted[/]" if tree.status == "accepted" else f"[red]rejected: {tree.reject_reason}[/]"
    top = RichTree(f"[bold]{tree.id}[/] {status}  ({tree.llm_calls} LLM calls, {tree.llm_tokens} tokens)")
    nodes: dict[int, Any] = {}
    for vertex in tree.vertices:
        parent = nodes.get(vertex.parent, top)
        node = parent.add(
            f"[bold cyan]{vertex.index + 1}. {escape(vertex.title)}[/] [dim]({escape(vertex.descriptor)}) "
            f"{escape(vertex.url)}[/]"
        )
        nodes[vertex.index] = node
        if vertex.relation is not None:
            label = "links to parent:" if vertex.relation_from == "child" else "link from parent:"
            _claim_node(node, label, vertex.relation)
        for claim in vertex.claims:
            _claim_node(node, "fact:", claim)
    parts: list[Any] = [top]
    if question is not None:
        text = f"[bold]Q:[/] {escape(question.question)}\n[bold]A:[/] {escape(question.answer)}"
        if question.aliases:
            text += f"  [dim](aliases: {escape(', '.join(question.aliases[:8]))})[/]"
        text += f"\n[dim]{question.id} · {question.hops} hops · {question.vertices} vertices[/]"
        parts.append(Panel(text, title="question"))
    if tree.notes:
        parts.append("[dim]" + escape("\n".join(tree.notes[-6:])) + "[/]")
    return Group(*parts)
