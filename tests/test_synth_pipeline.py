"""`synth`, `show`, `stats` on the bundled sample index with the deterministic fake LLM backend."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli
from infoseek_local.errors import ConfigError
from infoseek_local.records import Question, Tree
from infoseek_local.store import DONE_DIR, read_shards
from infoseek_local.synth.sentences import split_sentences
from infoseek_local.text import mentions_name


def synth(index: Path, out: Path, *extra: str) -> CliRunner:
    args = ["synth", "--index", str(index), "--out", str(out), "--backend", "fake", *extra]
    result = CliRunner().invoke(cli, args, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result


def shard_bytes(run: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(run)): p.read_bytes()
        for folder in ("trees", "questions")
        for p in sorted((run / folder).glob("*.msgpack.zst"))
    }


@pytest.fixture(scope="module")
def fake_run(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synth") / "run"
    synth(sample_index, out, "--n", "8", "--shard-size", "3")
    return out


def test_run_writes_one_tree_per_seed_and_one_question_per_accepted_tree(fake_run: Path) -> None:
    trees = list(read_shards(fake_run / "trees", Tree))
    questions = list(read_shards(fake_run / "questions", Question))
    assert len(trees) == 8
    assert sorted(p.name for p in (fake_run / DONE_DIR).iterdir()) == [
        "synth-00000",
        "synth-00001",
        "synth-00002",
    ]
    accepted = [t for t in trees if t.status == "accepted"]
    assert accepted, "the fake backend should get at least one tree through on the sample corpus"
    assert {q.tree_id for q in questions} == {t.id for t in accepted}
    assert all(t.reject_reason for t in trees if t.status == "rejected")
    assert (
        (fake_run / "config.toml").read_text().count(f'index = "{Path(trees[0].provenance.config["index"])}"')
    )


def test_accepted_trees_are_grounded_deep_enough_and_questions_hide_their_entities(
    fake_run: Path, sample_index: Path
) -> None:
    from infoseek_local.index.reader import Index

    questions = {q.tree_id: q for q in read_shards(fake_run / "questions", Question)}
    accepted = [t for t in read_shards(fake_run / "trees", Tree) if t.status == "accepted"]
    assert accepted, "the fake backend should get at least one tree through on the sample corpus"
    with Index.open(sample_index) as index:
        for tree in accepted:
            question = questions[tree.id]
            assert question.hops >= 2 and question.vertices >= 3
            assert question.answer == tree.vertices[0].title
            assert question.gold_page_ids == [v.page_id for v in tree.vertices]
            for vertex in tree.vertices:
                # the answer's name never appears; another vertex's name may only inside a longer name
                # ("Ocean" in "Atlantic Ocean" names a different entity)
                assert not mentions_name(question.question, vertex.title, standalone=vertex.index > 0)
                page = index.page(vertex.page_id)
                assert vertex.url == page.url
                numbered = {s.number: s.text for s in split_sentences(page.text)}
                for claim in vertex.claims:
                    assert claim.grounded
                    assert [numbered[n] for n in claim.sentence_ids] == claim.sentences
                if vertex.relation is not None:
                    parent = index.page(tree.vertices[vertex.parent].page_id)
                    assert vertex.relation.grounded
                    # the edge is a link of its recorded kind: a hyperlink, or a mention in the page's text
                    kinds = (vertex.edge_kind,)
                    if vertex.relation_from == "child":  # a back-link: this page links to its parent
                        assert parent.id in {link.target for link in index.out_links(page.id, kinds)}
                        numbered_at = numbered
                    else:
                        assert vertex.page_id in {link.target for link in index.out_links(parent.id, kinds)}
                        numbered_at = {s.number: s.text for s in split_sentences(parent.text)}
                    assert [numbered_at[n] for n in vertex.relation.sentence_ids] == vertex.relation.sentences


def test_accepted_questions_pass_verifys_leak_and_shortcut_checks(fake_run: Path, sample_index: Path) -> None:
    """Synth runs verify's own leak and shortcut tests before it writes a question, so none fails them later."""
    from infoseek_local.index.reader import Index
    from infoseek_local.verify.context import CheckContext, VerifyConfig
    from infoseek_local.verify.leak import check_leak
    from infoseek_local.verify.shortcut import check_shortcut

    trees = {t.id: t for t in read_shards(fake_run / "trees", Tree)}
    questions = list(read_shards(fake_run / "questions", Question))
    assert questions
    with Index.open(sample_index) as index:
        ctx = CheckContext(config=VerifyConfig(), trees=trees, index=index)
        failed = [
            (q.question, v.reason)
            for q in questions
            for v in (check_leak(q, ctx), check_shortcut(q, ctx))
            if not v.passed
        ]
    assert failed == []


def test_same_seed_and_fake_backend_give_byte_identical_shards(
    fake_run: Path, sample_index: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    synth(sample_index, again, "--n", "8", "--shard-size", "3")
    assert shard_bytes(again) == shard_bytes(fake_run)


def test_a_process_pool_writes_the_same_shards(fake_run: Path, sample_index: Path, tmp_path: Path) -> None:
    pooled = tmp_path / "pooled"
    synth(sample_index, pooled, "--n", "8", "--shard-size", "3", "--workers", "2")
    assert shard_bytes(pooled) == shard_bytes(fake_run)


def test_killed_run_resumes_without_losing_or_duplicating_questions(
    fake_run: Path, sample_index: Path, tmp_path: Path
) -> None:
    run = tmp_path / "resumed"
    synth(sample_index, run, "--n", "8", "--shard-size", "3")
    # a kill in the middle of shard 1: its marker never written, a half-written file left behind
    (run / DONE_DIR / "synth-00001").unlink()
    (run / "questions" / DONE_DIR / "synth-00001").unlink()
    partial = run / "trees" / "synth-00001.msgpack.zst.partial"
    partial.write_bytes(b"\x28\xb5\x2f\xfd torn")
    result = synth(sample_index, run, "--n", "8", "--shard-size", "3")
    assert "resumed: 2 finished shards kept" in result.output
    ids = [q.id for q in read_shards(run / "questions", Question)]
    assert len(ids) == len(set(ids))
    assert shard_bytes(run) == shard_bytes(fake_run)


def test_rerun_with_a_different_config_is_refused(fake_run: Path, sample_index: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    synth(sample_index, run, "--n", "2")
    with pytest.raises(
        ConfigError, match=r"run/synth-00000: this shard was made with other settings \(n: 2 -> 3\)"
    ):
        CliRunner().invoke(
            cli,
            ["synth", "--index", str(sample_index), "--out", str(run), "--n", "3", "--backend", "fake"],
            catch_exceptions=False,
        )


def test_config_file_sets_options_and_unknown_keys_are_named(sample_index: Path, tmp_path: Path) -> None:
    config = tmp_path / "synth.toml"
    config.write_text(f'[synth]\nindex = "{sample_index}"\nn = 2\nmax_vertices = 4\n')
    run = tmp_path / "run"
    result = CliRunner().invoke(
        cli, ["synth", "--config", str(config), "--out", str(run), "--backend", "fake"]
    )
    assert result.exit_code == 0, result.output
    assert len(list(read_shards(run / "trees", Tree))) == 2
    assert "max_vertices = 4" in (run / "config.toml").read_text()
    config.write_text(f'[synth]\nindex = "{sample_index}"\nmax_vertex = 4\n')
    with pytest.raises(ConfigError, match=r"synth\.toml: Object contains unknown field `max_vertex`"):
        CliRunner().invoke(
            cli,
            ["synth", "--config", str(config), "--out", str(tmp_path / "r2"), "--backend", "fake"],
            catch_exceptions=False,
        )


def test_seed_file_seeds_not_in_the_index_are_counted_not_fatal(sample_index: Path, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text("# seeds\nhttps://en.wikipedia.org/wiki/Aden\nNo Such Page Anywhere\nPeru\n")
    run = tmp_path / "run"
    synth(sample_index, run, "--seeds", str(seeds), "--n", "3")
    trees = list(read_shards(run / "trees", Tree))
    assert len(trees) == 3
    missing = [t for t in trees if t.reject_reason == "seed_not_in_index"]
    assert len(missing) == 1 and missing[0].seed_page_id == -1
    assert "No Such Page Anywhere" in missing[0].notes[-1]


def test_show_draws_the_tree_with_question_answer_and_cited_sentences(fake_run: Path) -> None:
    accepted = next(t for t in read_shards(fake_run / "trees", Tree) if t.status == "accepted")
    result = CliRunner().invoke(cli, ["show", str(fake_run), accepted.id[:8]], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert accepted.vertices[0].title in result.output
    assert "Q:" in result.output and "cites [" in result.output
    assert accepted.vertices[1].url.split("/")[-1][:10] in result.output
    missing = CliRunner().invoke(cli, ["show", str(fake_run), "t-ffffffffffff"])
    assert missing.exit_code != 0
    assert "no tree with id 't-ffffffffffff'" in str(missing.exception)


def test_stats_reports_funnel_shapes_and_cost_per_question(fake_run: Path) -> None:
    result = CliRunner().invoke(cli, ["stats", str(fake_run), "--json"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    import json

    report = json.loads(result.output)
    funnel = report["synthesis funnel"]
    assert funnel["seeds attempted"] == 8
    accepted = funnel["trees accepted"]
    assert funnel["questions"] == accepted
    grounded, total = map(int, funnel["accepted claims grounded"].split("/"))
    assert grounded == total > 0
    assert re.fullmatch(r"(\d+: \d+(, )?)+", report["questions"]["hops (depth)"])
    assert report["LLM calls"]["synth tokens per accepted question"] > 0


# ── bad input and a model that answers nonsense ─────────────────────────────────────────────────────────


def run_library(
    sample_index: Path, run: Path, responder, n: int = 3, seeds_file: str = "", **settings
) -> list[Tree]:
    from infoseek_local.llm.factory import LLMConfig, open_llm
    from infoseek_local.synth.config import SynthConfig
    from infoseek_local.synth.pipeline import run_synth

    config = SynthConfig(index=str(sample_index), n=n, seeds_file=seeds_file, backend="fake", **settings)
    llm = open_llm(backend="fake", fake_responder=responder, run_dir=run)
    run_synth(config, run, LLMConfig(backend="fake"), llm=llm)
    return list(read_shards(run / "trees", Tree))


def test_a_model_that_always_picks_the_last_choice_still_gives_only_grounded_trees(
    sample_index: Path, tmp_path: Path
) -> None:
    def last_choice(messages, schema):
        props = schema["properties"]
        return {name: sub["enum"][-1] for name, sub in props.items()}

    trees = run_library(sample_index, tmp_path / "run", last_choice, n=4)
    assert len(trees) == 4
    accepted = [t for t in trees if t.status == "accepted"]
    assert accepted, "no tree accepted: the groundedness below would hold of nothing"
    for tree in accepted:
        assert all(c.grounded for v in tree.vertices for c in v.claims)
        assert all(v.relation.grounded for v in tree.vertices if v.relation is not None)


def test_a_model_answering_garbage_rejects_trees_as_llm_invalid_and_stops_after_three(
    sample_index: Path, tmp_path: Path
) -> None:
    from infoseek_local.errors import LLMError

    with pytest.raises(LLMError, match=r"shard synth-00000: the LLM failed on 3 trees in a row"):
        run_library(sample_index, tmp_path / "run", lambda messages, schema: "no json here", n=4)
    assert not (tmp_path / "run" / DONE_DIR / "synth-00000").exists()


def test_a_seed_whose_links_all_leave_the_corpus_is_rejected_with_its_reason(
    sample_index: Path, tmp_path: Path
) -> None:
    from infoseek_local.index.reader import Index

    with Index.open(sample_index) as index:
        isolated = next(p for p in index.iter_pages() if not p.out_links and len(p.text) > 300)
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(isolated.url + "\n")
    trees = run_library(sample_index, tmp_path / "run", None, n=1, seeds_file=str(seeds))
    assert [t.reject_reason for t in trees] == ["no_in_corpus_links"]


def test_polished_questions_are_kept_only_when_code_confirms_them(sample_index: Path, tmp_path: Path) -> None:
    from infoseek_local.llm.base import GenParams
    from infoseek_local.llm.fake import FakeBackend

    generic = FakeBackend(seed=0)

    def polisher(rewrite):
        def respond(messages, schema):
            if "question" not in schema.get("properties", {}):  # planner, browser, judge: as the plain fake
                return generic.generate(messages, schema, GenParams()).text
            template = messages[-1].content.split("<question>")[1].split("</question>")[0]
            return {"question": rewrite(template)}

        return respond

    trees = run_library(sample_index, tmp_path / "kept", polisher(lambda q: "Puzzle. " + q), n=6, polish=True)
    kept = list(read_shards(tmp_path / "kept" / "questions", Question))
    assert kept and len(kept) == sum(t.status == "accepted" for t in trees)
    assert all(q.question.startswith("Puzzle. ") for q in kept)

    # a rewrite that loses the clues is dropped, and so is one with debris: the composed question stays
    for name, rewrite in (
        ("lossy", lambda q: "Which one is it, then?"),
        ("debris", lambda q: q + " and and"),
    ):
        run_library(sample_index, tmp_path / name, polisher(rewrite), n=6, polish=True)
        kept_as_composed = list(read_shards(tmp_path / name / "questions", Question))
        assert [q.question for q in kept_as_composed] == [q.question.removeprefix("Puzzle. ") for q in kept]


def test_an_index_of_another_schema_version_is_refused_before_anything_is_written(
    sample_index: Path, tmp_path: Path
) -> None:
    import json
    import shutil

    from infoseek_local.errors import IndexMismatchError

    old = tmp_path / "old_index"
    shutil.copytree(sample_index, old)
    manifest = json.loads((old / "manifest.json").read_text())
    manifest["schema_version"] = -1
    (old / "manifest.json").write_text(json.dumps(manifest))
    run = tmp_path / "run"
    with pytest.raises(IndexMismatchError, match=r"manifest\.json: index schema version -1, this tool reads"):
        CliRunner().invoke(
            cli,
            ["synth", "--index", str(old), "--out", str(run), "--backend", "fake"],
            catch_exceptions=False,
        )
    assert not (run / "trees").exists()
