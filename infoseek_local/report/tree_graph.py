"""A research tree drawn as an SVG graph: one box per vertex (title, kind, link to its URL), one arrow per
link between two vertices (solid: a hyperlink, dotted: a mention of the other page's name), labelled
with the relation claim. The answer (the root) is on top.

Layout is the classic tidy one for small trees: leaves take consecutive slots left to right, a parent sits
centred over its children, depth sets the row. Trees here have a handful of vertices, so that is enough.
"""

from __future__ import annotations

import textwrap

from ..records import Tree, Vertex
from .escape import clip, esc, safe_href

NODE_W, NODE_H = 176, 46
PITCH_X, PITCH_Y = 200, 112
LABEL_CHARS, LABEL_LINES, CHAR_W = 30, 2, 6.1  # edge labels: wrapped relation claims, 11 px text
MARGIN = 6
TITLE_CHARS, KIND_CHARS = 23, 27  # what fits in NODE_W at 12 px bold and 11 px


def _wrap(text: str) -> list[str]:
    lines = textwrap.wrap(" ".join(text.split()), LABEL_CHARS) or [""]
    if len(lines) > LABEL_LINES:
        lines = [*lines[: LABEL_LINES - 1], clip(" ".join(lines[LABEL_LINES - 1 :]), LABEL_CHARS)]
    return lines


def _layout(tree: Tree) -> tuple[dict[int, tuple[float, int]], list[Vertex]]:
    """(x slot, depth) per vertex index, and the vertices in drawing order; tolerant of broken parent links."""
    by_index = {v.index: v for v in tree.vertices}
    children: dict[int, list[int]] = {}
    roots = []
    for vertex in tree.vertices:
        if vertex.parent in by_index and vertex.parent != vertex.index:
            children.setdefault(vertex.parent, []).append(vertex.index)
        else:
            roots.append(vertex.index)
    place: dict[int, tuple[float, int]] = {}
    next_slot = 0

    def visit(index: int, depth: int) -> float:
        nonlocal next_slot
        if index in place:  # a cycle in hostile or damaged records: draw each vertex once
            return place[index][0]
        place[index] = (next_slot, depth)  # provisional, so a cycle back here stops
        kids = [k for k in children.get(index, []) if k not in place]
        if kids:
            slots = [visit(k, depth + 1) for k in kids]
            slot = (slots[0] + slots[-1]) / 2
        else:
            slot = next_slot
            next_slot += 1
        place[index] = (slot, depth)
        return slot

    for root in roots:
        visit(root, 0)
    for vertex in tree.vertices:  # anything only reachable through a cycle
        if vertex.index not in place:
            visit(vertex.index, 0)
    return place, [by_index[i] for i in place]


def tree_svg(tree: Tree, ident: str) -> str:
    """The tree as one `<svg>`; `ident` makes its marker ids unique in the page."""
    if not tree.vertices:
        return ""
    place, order = _layout(tree)
    centre = {
        i: (MARGIN + NODE_W / 2 + slot * PITCH_X, MARGIN + depth * PITCH_Y)
        for i, (slot, depth) in place.items()
    }
    edges, label_right = [], 0.0
    for vertex in order:
        if vertex.parent not in centre or vertex.parent == vertex.index:
            continue
        (px, py), (cx, cy) = centre[vertex.parent], centre[vertex.index]
        # an elbow: down from the parent to mid-gap, across, down to the child; the label sits right of
        # the child's vertical stretch, where no other edge runs
        mid = (py + NODE_H + cy) / 2
        path = f"M{px:.1f},{py + NODE_H:.1f}V{mid:.1f}H{cx:.1f}V{cy:.1f}"
        if vertex.relation_from == "child":  # the child's page links to its parent: arrow points up
            path = f"M{cx:.1f},{cy:.1f}V{mid:.1f}H{px:.1f}V{py + NODE_H:.1f}"
        claim = vertex.relation
        grounded = claim is None or claim.grounded
        cls = (
            "edge"
            + ("" if grounded else " ungrounded")
            + (" mention" if vertex.edge_kind == "mention" else "")
        )
        lx, ly = cx + 6, mid + 13
        lines = _wrap(claim.text) if claim is not None else []
        label_right = max(label_right, lx + max((len(line) for line in lines), default=0) * CHAR_W)
        way = "links to parent" if vertex.relation_from == "child" else "link from parent"
        if vertex.edge_kind == "mention":  # the page names the other entity in its text, without an <a href>
            way = way.replace("link", "mention", 1)
        tooltip = f"{way}: " + (claim.text if claim is not None else "(no relation claim)")
        text = "".join(
            f'<tspan x="{lx:.1f}" dy="{0 if n == 0 else 13}">{esc(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        edges.append(
            f"<g><title>{esc(tooltip)}</title>"
            f'<path d="{path}" class="{cls}" marker-end="url(#arrow-{esc(ident)})"/>'
            f'<text x="{lx:.1f}" y="{ly:.1f}" class="edge-lbl">{text}</text></g>'
        )
    nodes = []
    for vertex in order:
        x, y = centre[vertex.index]
        cls = "node root" if vertex.index == tree.vertices[0].index else "node"
        box = (
            f'<rect x="{x - NODE_W / 2:.1f}" y="{y:.1f}" width="{NODE_W}" height="{NODE_H}" rx="6" class="{cls}"/>'
            f'<text x="{x:.1f}" y="{y + 19:.1f}" text-anchor="middle" class="node-title">'
            f"{esc(clip(f'{vertex.index + 1}. {vertex.title}', TITLE_CHARS))}</text>"
            f'<text x="{x:.1f}" y="{y + 35:.1f}" text-anchor="middle" class="node-kind">'
            f"{esc(clip(vertex.descriptor or vertex.url, KIND_CHARS))}</text>"
        )
        tooltip = f"<title>{esc(vertex.title)} — {esc(vertex.url)}</title>"
        href = safe_href(vertex.url)
        if href is not None:
            box = f'<a href="{href}" target="_blank" rel="noopener noreferrer">{tooltip}{box}</a>'
        else:
            box = f"<g>{tooltip}{box}</g>"
        nodes.append(box)
    width = max(max(x for x, _ in centre.values()) + NODE_W / 2, label_right) + MARGIN
    height = max(y for _, y in centre.values()) + NODE_H + MARGIN + 4
    marker = (
        f'<defs><marker id="arrow-{esc(ident)}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0L10,5L0,10z" class="arrow"/></marker></defs>'
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="tree" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="research tree {esc(tree.id)}">'
        f"<title>research tree {esc(tree.id)}</title>{marker}{''.join(edges)}{''.join(nodes)}</svg>"
    )
