"""The judge prompts with the real embedded model: answers come back in schema and verdicts are produced."""

from __future__ import annotations

import pytest
from verify_records import claim, eiffel_tree, question

from infoseek_local.llm.factory import open_llm
from infoseek_local.verify.context import CheckContext, VerifyConfig
from infoseek_local.verify.difficulty import check_difficulty
from infoseek_local.verify.grounded import check_grounded

pytestmark = pytest.mark.integration


def test_embedded_judge_answers_closed_book_and_entailment_in_schema() -> None:
    llm = open_llm(n_ctx=1024, cache=False)
    try:
        paraphrase = claim(
            "This entity worked as a builder of bridges in France.",
            "Gustave Eiffel was a French civil engineer.",
        )
        ctx = CheckContext(
            config=VerifyConfig(samples=1), trees={"t1": eiffel_tree(claims=[paraphrase])}, llm=llm
        )
        closed_book = check_difficulty(question(), ctx)
        assert len(closed_book.evidence["answers"]) >= 1
        assert all(0 < len(a) <= 80 for a in closed_book.evidence["answers"])
        grounded = check_grounded(question(), ctx)
        assert grounded.evidence["claims"] == 3
        assert llm.stats.calls == len(closed_book.evidence["answers"]) + 1  # one entailment question
    finally:
        llm.close()
