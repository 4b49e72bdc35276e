"""Fluency check: the question reads as English, with no debris of masking, blurring or templating left in it
(placeholders, doubled words, pasted sentence openers, nested parentheses, verbless clauses, over-long text).
Code only: the rules are those of `infoseek_local.text.fluency`."""

from __future__ import annotations

from ..records import Question, Verdict
from ..text.fluency import fluency_problems, word_count
from .context import CheckContext

CHECK = "fluency"
_REASON_PROBLEMS = 3  # the rest are in the evidence; a reason stays one readable line


def check_fluency(question: Question, ctx: CheckContext) -> Verdict:
    problems = fluency_problems(question.question, max_words=ctx.config.max_question_words)
    words = word_count(question.question)
    evidence = {"problems": problems, "words": words}
    if not problems:
        return Verdict(
            question_id=question.id,
            check=CHECK,
            passed=True,
            reason=f"no fluency problem in {words} words",
            evidence=evidence,
        )
    shown = "; ".join(problems[:_REASON_PROBLEMS]) + ("; …" if len(problems) > _REASON_PROBLEMS else "")
    count = f"{len(problems)} fluency problem" + ("s" if len(problems) > 1 else "")
    return Verdict(
        question_id=question.id, check=CHECK, passed=False, reason=f"{count}: {shown}", evidence=evidence
    )
