"""A tiny real index and a research tree over it, shared by the guided-trajectory and choice-agent tests.

The tree is a chain, deepest first: a mountain range (Mount Ferrow) -> a river rising there (Ostra River) ->
the country it crosses (Valdria, the answer). Decoy pages share some clue words.
"""

from __future__ import annotations

from pathlib import Path

from infoseek_local.corpus.warc_writer import WarcPage, html_page, write_warc
from infoseek_local.index.build import build_index
from infoseek_local.index.reader import Index
from infoseek_local.records import Claim, Provenance, Question, Tree, Vertex
from infoseek_local.store import ShardWriter, mark_done, shard_path

SITE = "http://guided.test/"
PAGES: dict[str, tuple[list[str], list[str]]] = {
    "Valdria": (
        ["Valdria is a small country crossed by the Ostra River.", "Valdria exports copper and timber."],
        ["Ostra River"],
    ),
    "Ostra River": (
        [
            "The Ostra River is a river that rises in Mount Ferrow.",
            "The Ostra River flows through marshland before reaching the sea.",
        ],
        ["Mount Ferrow"],
    ),
    "Mount Ferrow": (
        ["Mount Ferrow is a mountain range in the north.", "Mount Ferrow was first climbed in 1953."],
        [],
    ),
    "Glass Sea": (["The Glass Sea is a sea where a river of meltwater ends in marshland."], []),
    "Copper Trade": (["Copper and timber were traded by every country of the region."], []),
    "Baking": (["Bread is baked from flour, water and yeast in an oven."], []),
}
QUESTION = (
    "A mountain range was first climbed in 1953. A river rises in that mountain range and flows through "
    "marshland before reaching the sea. Which country is crossed by that river and exports copper and timber?"
)


def url_of(title: str) -> str:
    return SITE + title.lower().replace(" ", "-")


def build_chain_index(folder: Path) -> Path:
    pages = [
        WarcPage(url_of(title), html_page(title, paragraphs, [(url_of(t), t) for t in links]))
        for title, (paragraphs, links) in PAGES.items()
    ]
    build_index([str(write_warc(folder / "chain.warc.gz", pages))], folder / "index", workers=1)
    return folder / "index"


def claim(text: str, kind: str = "attribute") -> Claim:
    return Claim(text=text, sentence_ids=[1], sentences=[text], kind=kind, grounded=True)


def chain_tree(index: Index, tree_id: str = "t-chain", *, river_page: str = "Ostra River") -> Tree:
    def vertex(position: int, title: str, page_title: str, parent: int, **fields: object) -> Vertex:
        page = index.page_by_url(url_of(page_title))
        assert page is not None
        return Vertex(index=position, page_id=page.id, url=page.url, title=title, parent=parent, **fields)

    vertices = [
        vertex(
            0, "Valdria", "Valdria", -1, claims=[claim("exports copper and timber")], descriptor="a country"
        ),
        vertex(
            1,
            "Ostra River",
            river_page,
            0,
            relation=claim("is crossed by a river", "relation"),
            claims=[claim("flows through marshland before reaching the sea")],
            descriptor="a river",
        ),
        vertex(
            2,
            "Mount Ferrow",
            "Mount Ferrow",
            1,
            relation=claim("rises in a mountain range", "relation"),
            claims=[claim("was first climbed in 1953")],
            descriptor="a mountain range",
        ),
    ]
    return Tree(
        id=tree_id,
        seed_page_id=vertices[0].page_id,
        vertices=vertices,
        status="accepted",
        provenance=Provenance(tool_version="test"),
    )


def chain_question(tree: Tree, question_id: str = "q-chain") -> Question:
    return Question(
        id=question_id,
        tree_id=tree.id,
        question=QUESTION,
        answer="Valdria",
        aliases=[],
        hops=2,
        vertices=3,
        gold_page_ids=[v.page_id for v in tree.vertices],
        gold_urls=[v.url for v in tree.vertices],
        provenance=Provenance(tool_version="test"),
    )


def write_run(run: Path, index_dir: Path, questions: list[Question], trees: list[Tree]) -> Path:
    """A run dir as verify leaves it: accepted questions, their trees, and the index in config.toml."""
    with ShardWriter(shard_path(run / "accepted", "part-00000")) as writer:
        writer.write_all(questions)
    mark_done(run / "accepted", "part-00000")
    with ShardWriter(shard_path(run / "trees", "part-00000")) as writer:
        writer.write_all(trees)
    mark_done(run / "trees", "part-00000")
    (run / "config.toml").write_text(f'[synth]\nindex = "{index_dir}"\n')
    return run
