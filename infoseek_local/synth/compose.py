"""Composing a question from a chain of clues: short sentences from the deepest entity up to the answer.

    A city is known for its traditional shawls. It is the second-largest city in a mountain range.
    A landlocked country is mainly situated in that range. Which state borders that country?

Each sentence introduces one new entity by its kind and says one relation to the entity before it, so the
reader follows the same path a searcher must, and no clause nests inside another. An edge whose clue is on the
parent's page ("is mainly situated in a range") makes the new entity the subject; a back-link, whose clue is
on the child's page ("is the second-largest city in a range"), keeps the known entity as subject. The answer's
own clue ends the question: "Which state borders that country?" or "... Which country is that?".
"""

from __future__ import annotations

import re

from ..records import Vertex


def bare(kind: str) -> str:
    return kind.split(" ", 1)[1] if kind.startswith(("a ", "an ")) else kind


def _noun(vertex: Vertex) -> str:
    return bare(vertex.descriptor).split()[-1] if vertex.descriptor != "an entity" else "one"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def chain_of(vertices: list[Vertex]) -> list[Vertex]:
    """The vertices from the answer down to the deepest one (a tree grown as a chain)."""
    chain = [vertices[0]]
    while child := next((v for v in vertices if v.parent == chain[-1].index and v.relation), None):
        chain.append(child)
    return chain


def refer(clue: str, kind: str, reference: str) -> str:
    """The clue with its mention of an entity (its kind, "a mountain range"; the bare kind after a determiner;
    or "one") replaced by `reference` ("that range", "it")."""
    for phrase in (kind, "one", bare(kind)):
        found = list(re.finditer(r"\b" + re.escape(phrase) + r"\b", clue))
        if found:
            at = found[-1]
            before = clue[: at.start()]
            if before.endswith("whose "):
                return clue  # "whose drainage basin covers ...": the possessive already points at it
            if phrase == bare(kind):
                before = _NP_START.sub("", before)  # "his political treatise" -> "that treatise"
            return before + reference + clue[at.end() :]
    return clue


_NP_START = re.compile(
    r"\b(?:its|their|his|her|the|a|an)\s+(?:(?!(?:of|in|on|at|to|by|for|from|with)\b)[a-z-]+\s+){0,2}$"
)


def _facts(vertex: Vertex) -> tuple[list[str], list[str]]:
    """(verb phrases, "whose" phrases) of a vertex's own facts."""
    verbs = [c.text for c in vertex.claims if not c.text.startswith("whose ")]
    whose = [c.text for c in vertex.claims if c.text.startswith("whose ")]
    return verbs, whose


def _fact_sentence(subject: str, vertex: Vertex) -> str:
    """ "That range rises to over 7,000 metres, and its ..."; "" when the vertex has no facts."""
    verbs, whose = _facts(vertex)
    parts = []
    if verbs:
        parts.append(f"{subject} {_join(verbs)}")
    if whose:
        owner = "its" if verbs else f"{subject}'s"
        parts.append(_join([w.replace("whose ", f"{owner} ", 1) for w in whose]))
    return _capital(", and ".join(parts)) + "." if parts else ""


def _relative(vertex: Vertex) -> str:
    """ "that rises to over 7,000 metres and whose capital ..." for facts said of a new entity in passing."""
    verbs, whose = _facts(vertex)
    pieces = (["that " + _join(verbs)] if verbs else []) + ([_join(whose)] if whose else [])
    return " and ".join(pieces)


def compose(vertices: list[Vertex]) -> str:
    """The question for a chain grown by diffusion (`vertices[0]` is the answer), and any back-links that
    retrospection added to the answer ("A city is the largest city in that country.")."""
    chain = chain_of(vertices)
    root = vertices[0]
    extras = [v for v in vertices if v.parent == 0 and v.relation is not None and v is not chain[1]]
    if not extras:
        return _chain_question(chain, ask=True)
    refs: dict[int, str] = {}
    sentences = [_chain_question(chain, ask=False, refs=refs)]
    fact = _fact_sentence(refs[root.index], root)
    if fact:
        sentences.append(fact)
    for extra in extras:
        assert extra.relation is not None
        reference = refs[root.index] if _noun(extra) != _noun(root) else "it"
        subject = _indefinite(extra.descriptor) if _noun(extra) != _noun(root) else f"another {_noun(extra)}"
        clue = refer(extra.relation.text, root.descriptor, reference)
        if clue.startswith("whose "):
            subject, clue = f"{subject}'s", clue.removeprefix("whose ")
        sentences.append(_capital(f"{subject} {clue}."))
    # "Which country is that?" after a sentence about another entity points at the wrong one
    sentences.append(f"What is {refs[root.index]}?")
    return " ".join(sentences)


def _chain_question(chain: list[Vertex], *, ask: bool, refs: dict[int, str] | None = None) -> str:
    """The chain's sentences; with `ask`, the answer's own sentence is the question, else a statement that
    introduces it (more sentences about it follow).

    A second entity of a kind already met is introduced as "another country" and named "that other country"
    from then on, so every reference has one reading ("it" and "the latter" made readers guess)."""
    sentences: list[str] = []
    deepest = chain[-1]
    known = bool(deepest.claims)
    refs = {} if refs is None else refs  # vertex index -> how later sentences name it
    refs[deepest.index] = f"that {_noun(deepest)}"
    opening = ""  # the deepest entity with its one fact as a relative clause, when its own clue follows
    opening_fact = ""
    verbs, whose = _facts(deepest)
    own_clue = deepest.relation_from == "child" and not (
        deepest.relation and deepest.relation.text.startswith("whose ")
    )
    if known and len(verbs) == 1 and not whose and own_clue:
        # "A city that is one of the largest cities in a desert serves as ...", not "A city is ... That city ..."
        opening = f"{_indefinite(deepest.descriptor)} that {verbs[0]}"
        opening_fact = verbs[0]
    elif known:
        sentences.append(_fact_sentence(_indefinite(deepest.descriptor), deepest))
    for depth in range(len(chain) - 1, 0, -1):
        child, parent = chain[depth], chain[depth - 1]
        assert child.relation is not None
        clue = child.relation.text
        last = depth == 1
        met = sum(_noun(v) == _noun(parent) for v in chain[depth:])  # of its kind, the reader has met
        same = met > 0
        ordinal = _ORDINALS.get(met, "other")
        refs[parent.index] = f"that {ordinal} {_noun(parent)}" if same else f"that {_noun(parent)}"
        # "another country", then "a third country": "that other country" must mean one country only
        another = (
            f"another {bare(parent.descriptor)}" if met <= 1 else f"a {ordinal} {bare(parent.descriptor)}"
        )
        if child.relation_from == "child":  # the clue is about the child and names the parent by its kind
            subject = opening or (refs[child.index] if known else _indefinite(child.descriptor))
            fact_first, opening, opening_fact = opening_fact, "", ""
            # "whose capital is one" is asked by its role: "Which city is the capital of that country?"
            asks_role = last and ask and re.search(r"\b(?:is|was)\s+one$", clue)
            border = _ON_BORDER.match(clue)  # before "another country" takes the kind's place
            if same and not asks_role:
                clue = refer(clue, parent.descriptor, another)
            if clue.startswith("whose "):  # "whose most noted feature is a waterfall" -> "its ..."
                clue = clue.removeprefix("whose ")
                subject = f"{subject}'s" if known else f"{_indefinite(child.descriptor)}'s"
            if last and ask:
                facts = _relative(parent)
                named = re.match(r"(.+?)\s+(?:is|was)\s+one$", clue)
                if named and not facts:
                    # "its capital is one" -> "Which city is the capital of that country?"
                    owner = subject.removesuffix("'s")
                    role = re.sub(r"^(?:the|a|an)\s+", "", named.group(1))
                    sentences.append(f"Which {bare(parent.descriptor)} is the {role} of {owner}?")
                    break
                if (
                    border
                    and not facts
                    and border["what"] == parent.descriptor
                    and not subject.endswith("'s")
                ):
                    # "That country has a territory on its northern border. Which territory is that?" -> one ask
                    sentences.append(
                        f"Which {bare(parent.descriptor)} is on the {border['side']} of {subject}?"
                    )
                    break
                if facts:
                    clue = refer(clue, parent.descriptor, f"{parent.descriptor} {facts}")
                sentences.append(_capital(_statement(subject, clue, fact_first)))
                sentences.append(f"Which {bare(parent.descriptor)} is that?")
                break
            sentences.append(_capital(_statement(subject, clue, fact_first)))
            if last:
                break
            fact = _fact_sentence(refs[parent.index], parent)
            if fact:
                sentences.append(fact)
        else:  # the clue is about the parent and names the child by its kind
            said = refer(clue, child.descriptor, refs[child.index]) if known else clue
            if same and not known:  # "A country borders another country ..., The first country ..."
                said = refer(clue, child.descriptor, f"another {bare(child.descriptor)}")
                refs[parent.index] = f"the first {_noun(parent)}"
            if last and ask:
                sentences.append(_root_question(parent, said))
                break
            subject = another if same and known else _indefinite(parent.descriptor)
            if not same and _names_another(said, _noun(parent)):
                # "A country claims to share a border with a country ...": "that country" could be either
                refs[parent.index] = f"the first {_noun(parent)}"
            role = _WHOSE_ROLE.match(said)
            after = chain[depth - 1].relation
            if (
                not known
                and not last
                and not same
                and not said.startswith("whose ")
                and not any(_facts(parent))
                and chain[depth - 1].relation_from == "child"
                and after is not None
                and not after.text.startswith("whose ")
            ):
                # "A city that is one of the largest cities in a desert serves as ...": the entity named by its
                # kind only says where the reader starts, so it is said in passing, like a fact
                opening, opening_fact = f"{subject} that {said}", said
                known = True
                continue
            if role:  # "whose capital is that city" -> "That city is the capital of a state."
                sentences.append(_capital(f"{role['ref']} {role['verb']} the {role['role']} of {subject}."))
            elif said.startswith("whose "):
                sentences.append(_capital(f"there is {subject} {said}."))
            else:
                sentences.append(_capital(f"{subject} {said}."))
            if last:
                break  # the caller says the answer's facts
            fact = _fact_sentence(refs[parent.index], parent)
            if fact:
                sentences.append(fact)
        known = True
    return " ".join(sentences)


_COPULA = re.compile(r"^(?:is|was) (?P<np>(?:a|an) [a-z][a-z -]*)$")


def _names_another(clue: str, noun: str) -> bool:
    """Whether the clue names some other entity by the noun ("... with a country ...")."""
    return bool(re.search(r"\b(?:a|an)\s+(?:[a-z-]+\s+)?" + re.escape(noun) + r"\b", clue))


def _statement(subject: str, clue: str, fact: str) -> str:
    """ "A conflict that was a power struggle ... was a civil war in a country." says "was" twice around a
    long subject: when both the opening fact and the clue say what the entity is, the clue's noun phrase
    becomes the subject ("A civil war in a country was a power struggle ...")."""
    copula = _COPULA.match(clue)
    if fact.startswith(("is ", "was ")) and copula:
        return f"{copula['np']} {fact}."
    return f"{subject} {clue}."


def _root_question(root: Vertex, said: str) -> str:
    """ "Which state borders that country and ...?" / "Which is the country whose capital is that city?"."""
    verbs, whose = _facts(root)
    kind = bare(root.descriptor) if root.descriptor != "an entity" else "entity"
    if said.startswith("whose "):
        whose = [*whose, said]
    else:
        verbs = [*verbs, said]
    if not whose:
        return f"Which {kind} {_join(verbs)}?"
    if not verbs and len(whose) == 1:  # "Which state's capital is that city?"
        return f"Which {kind}'s {whose[0].removeprefix('whose ')}?"
    pieces = (["that " + _join(verbs)] if verbs else []) + [_join(whose)]
    return f"Which is the {kind} {' and '.join(pieces)}?"


_ORDINALS = {1: "other", 2: "third", 3: "fourth", 4: "fifth"}
# the one-way border wording of `text.clues.border_sides`: "has a territory on its northern border"
_ON_BORDER = re.compile(
    r"^has (?P<what>(?:a|an) [a-z -]+?) on its (?P<side>[a-z]+(?: and [a-z]+)? borders?)$"
)
# a possessive clue that names a known entity by its role: "whose capital and largest city is that city"
_WHOSE_ROLE = re.compile(
    r"^whose (?P<role>[a-z][a-z ,-]*?) (?P<verb>is|was) (?P<ref>that (?:other )?[a-z-]+|it)$"
)


def _indefinite(kind: str) -> str:
    return kind if kind.startswith(("a ", "an ")) else f"a {kind}"
