"""`infoseek-local report`: the HTML page of a fake-backend run, checked in headless Chromium (screenshot and
DOM), plus empty, partial, side-by-side, damaged, hostile and 1,000-question runs."""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli, main
from infoseek_local.records import Claim, LLMCallRecord, Provenance, Question, Tree, Verdict, Vertex
from infoseek_local.store import ShardWriter, mark_done, read_shards, shard_path


def _find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


CHROMIUM = _find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found on PATH: install the Debian package `chromium` (.ci/run does)",
)


def chromium(page: Path, tmp_path: Path, *args: str) -> str:
    """Run headless Chromium on a page from disk; returns stdout (the DOM with --dump-dom)."""
    assert CHROMIUM is not None
    command = [
        CHROMIUM,
        "--headless",
        "--no-sandbox",  # CI containers run as root, where Chromium's sandbox refuses to start
        "--disable-gpu",
        "--hide-scrollbars",
        f"--user-data-dir={tmp_path / 'chromium-profile'}",
        *args,
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


class Dom(HTMLParser):
    """Elements (tag, attributes) and text of a page, as Python's HTML parser reads them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.texts: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())

    def count(self, tag: str, css_class: str | None = None) -> int:
        return sum(
            1
            for name, attrs in self.elements
            if name == tag and (css_class is None or css_class in attrs.get("class", "").split())
        )


def invoke(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def full_run(sample_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """synth (fake backend) -> verify (code checks) -> sample: every section of the report has data."""
    run = tmp_path_factory.mktemp("report") / "run"
    invoke("synth", "--index", str(sample_index), "--out", str(run), "--n", "8", "--backend", "fake")
    invoke("verify", str(run), "--backend", "fake", "--checks", "fluency,grounded,leak,shortcut,duplicate")
    invoke("sample", str(run), "--backend", "fake", "--samples", "2", "--max-turns", "2")
    return run


@pytest.fixture(scope="module")
def synth_only_run(full_run: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same run as if verify and sample had not run yet, with one synth shard killed mid-write."""
    run = tmp_path_factory.mktemp("partial") / "run"
    shutil.copytree(
        full_run, run, ignore=shutil.ignore_patterns("verdicts", "accepted", "trajectories", "*.html")
    )
    (run / "trees" / "synth-00099.msgpack.zst.partial").write_bytes(b"torn")
    return run


@needs_chromium
def test_report_of_a_full_run_renders_charts_and_tree_cards_in_chromium(
    full_run: Path, tmp_path: Path
) -> None:
    from PIL import Image, ImageStat

    output = invoke("report", str(full_run))
    page = full_run / "report.html"
    assert f"wrote {page}" in output
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html and 'http-equiv="Content-Security-Policy"' in html

    for width, height, name in ((1280, 2400, "desktop"), (390, 2400, "phone")):
        shot = tmp_path / f"{name}.png"
        chromium(page, tmp_path, f"--screenshot={shot}", f"--window-size={width},{height}")
        image = Image.open(shot).convert("RGB")
        assert image.size == (width, height)
        grey = ImageStat.Stat(image.convert("L"))
        colours = image.getcolors(maxcolors=1 << 20) or []
        assert grey.stddev[0] > 15, f"{name} screenshot looks blank (grey stddev {grey.stddev[0]:.1f})"
        assert len(colours) > 100, f"{name} screenshot has only {len(colours)} colours"

    dom = Dom(chromium(page, tmp_path, "--dump-dom"))
    assert (
        dom.count("svg", "chart") >= 8
    )  # funnel, reasons, hops, vertices, length, oracle, ranks, cost, rewards
    questions = {q.id: q for q in read_shards(full_run / "accepted", Question)}
    trees = {t.id: t for t in read_shards(full_run / "trees", Tree)}
    assert questions, "the fake run should get a question through verify"
    assert dom.count("article", "card") == len(questions)
    assert dom.count("svg", "tree") == len(questions)
    assert dom.count("rect", "node") == sum(len(trees[q.tree_id].vertices) for q in questions.values())
    assert dom.count("rect", "root") == len(questions)
    question = next(iter(questions.values()))
    tree = trees[question.tree_id]
    for text in (
        question.question,
        question.answer,
        tree.vertices[1].url,
        tree.vertices[1].relation.sentences[0],
    ):
        assert " ".join(text.split()) in dom.text
    for heading in (
        "Funnel and rejection reasons",
        "Question shapes and shortcut ranks",
        "LLM cost",
        "Trajectories",
    ):
        assert heading in dom.text
    assert "verify: passed shortcut" in dom.text and "questions with trajectories" in dom.text
    assert "pass shortcut" in dom.text  # verdict lines on the cards
    assert not [a for _, a in dom.elements if a.get("src", "").startswith(("http", "//"))]


@needs_chromium
def test_hostile_page_text_stays_text(tmp_path: Path) -> None:
    run = tmp_path / "<img src=x onerror=alert(9)>"
    hostile_run(run)
    invoke("report", str(run), "--out", str(tmp_path / "hostile.html"))
    html = (tmp_path / "hostile.html").read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "<iframe" not in html.lower()

    dom = Dom(chromium(tmp_path / "hostile.html", tmp_path, "--dump-dom"))
    assert dom.count("script") == dom.count("iframe") == dom.count("img") == 0
    assert not [(t, k) for t, attrs in dom.elements for k in attrs if k.lower().startswith("on")]
    assert not [a["href"] for _, a in dom.elements if "href" in a and not a["href"].startswith("https://")]
    for text in (SCRIPT, '"><svg onload=alert(6)>', "<iframe src=x>", "<b>kind</b>", "javascript:alert(1)"):
        assert text in dom.text
    assert dom.count("article", "card") == 1 and dom.count("svg", "tree") == 1


@needs_chromium
def test_two_runs_side_by_side_pair_cards_of_the_same_seed(
    full_run: Path, synth_only_run: Path, tmp_path: Path
) -> None:
    out = tmp_path / "compare" / "both.html"
    invoke("report", str(full_run), str(synth_only_run), "--out", str(out))
    dom = Dom(chromium(out, tmp_path, "--dump-dom"))
    labels = [str(full_run), str(synth_only_run)]  # both folders are named "run": labelled by path
    assert all(label in dom.text for label in labels)
    per_section = dom.count("h3", "run-name")
    assert per_section >= 2 * 5  # funnel, shapes, cost, trajectories, cards: a panel per run
    questions = list(read_shards(full_run / "questions", Question))
    # the synth-only copy holds the same question ids: each row has both runs' cards
    assert dom.count("article", "card") == 2 * len(questions)
    assert dom.count("p", "run-tag") == 2 * len(questions)
    assert "no trajectories figures in this run" in dom.text


def test_partial_run_synth_only(synth_only_run: Path) -> None:
    invoke("report", str(synth_only_run))
    dom = Dom((synth_only_run / "report.html").read_text(encoding="utf-8"))
    assert "questions accepted by synth" in dom.text
    assert "verify: passed" not in dom.text and 'id="trajectories"' not in str(dom.elements)
    assert "accepted by verify not run" in dom.text and "agent solve rate (pass@K) not run" in dom.text
    assert "unfinished shards (not counted) trees: 1" in dom.text
    questions = list(read_shards(synth_only_run / "questions", Question))
    assert dom.count("article", "card") == len(questions)
    assert dom.text.count("verify: not verified") == len(questions)


def test_empty_run_says_so(tmp_path: Path) -> None:
    run = tmp_path / "empty"
    run.mkdir()
    output = invoke("report", str(run))
    assert "1 run(s) hold no finished records yet" in output
    dom = Dom((run / "report.html").read_text(encoding="utf-8"))
    assert "empty holds no finished records yet" in dom.text
    assert dom.count("svg") == 0 and dom.count("article") == 0


def test_missing_run_and_directory_out_are_one_line_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(tmp_path / "nope")])
    assert exit_info.value.code == 1
    missing = tmp_path / "nope"
    assert capsys.readouterr().err.strip() == (
        f"error: {missing}: no such run directory; create one with `infoseek-local synth --out {missing}`"
    )
    (tmp_path / "run").mkdir()
    with pytest.raises(SystemExit) as exit_info:
        main(["report", str(tmp_path / "run"), "--out", str(tmp_path)])
    assert exit_info.value.code != 0


def test_damaged_shard_leaves_its_section_out_and_the_rest_renders(full_run: Path, tmp_path: Path) -> None:
    run = tmp_path / "run"
    shutil.copytree(full_run, run, ignore=shutil.ignore_patterns("*.html"))
    with ShardWriter(shard_path(run / "trees", "synth-00000")) as writer:  # verdicts where trees belong
        writer.write(Verdict(question_id="q", check="leak", passed=True, reason="ok"))
    invoke("report", str(run))
    dom = Dom((run / "report.html").read_text(encoding="utf-8"))
    assert "synthesis funnel left out:" in dom.text and "trees/synth-00000.msgpack.zst" in dom.text
    assert "Question shapes and shortcut ranks" in dom.text and dom.count("svg", "chart") >= 5


def test_a_thousand_questions_stay_under_two_megabytes_with_sampled_cards(
    full_run: Path, tmp_path: Path
) -> None:
    question = next(iter(read_shards(full_run / "questions", Question)))
    tree = next(t for t in read_shards(full_run / "trees", Tree) if t.id == question.tree_id)
    run = tmp_path / "big"
    for folder, records in (
        ("trees", (msgspec.structs.replace(tree, id=f"t-{n:016x}") for n in range(1000))),
        (
            "questions",
            (msgspec.structs.replace(question, id=f"q-{n:016x}", tree_id=f"t-{n:016x}") for n in range(1000)),
        ),
    ):
        with ShardWriter(shard_path(run / folder, "synth-00000")) as writer:
            writer.write_all(records)
        mark_done(run / folder, "synth-00000")
    output = invoke("report", str(run))
    assert "50 cards" in output
    page = run / "report.html"
    assert page.stat().st_size < 2 * 1024 * 1024
    dom = Dom(page.read_text(encoding="utf-8"))
    assert dom.count("article", "card") == 50
    assert "50 of 1,000 questions synth wrote: a sample" in dom.text


# ── a run written by hand whose every string is hostile ─────────────────────────────────────────────────

SCRIPT = '<script>alert("x")</script>'


def hostile_run(run: Path) -> None:
    provenance = Provenance(tool_version="test", model="<script>model</script>")
    tree = Tree(
        id="t-0001",
        seed_page_id=0,
        status="accepted",
        provenance=provenance,
        vertices=[
            Vertex(
                index=0,
                page_id=0,
                url="javascript:alert(1)",
                title=SCRIPT,
                descriptor="<b>kind</b>",
                claims=[
                    Claim(
                        text="<img src=x onerror=alert(2)>",
                        sentence_ids=[1],
                        sentences=["</blockquote><script>alert(3)</script>"],
                        grounded=True,
                    )
                ],
            ),
            Vertex(
                index=1,
                page_id=1,
                url='https://example.org/"><script>alert(4)</script>',
                title="</svg></text><script>alert(5)</script>",
                parent=0,
                relation=Claim(text="</tspan></svg><iframe src=x>", sentence_ids=[2], sentences=["x\x00y"]),
            ),
        ],
    )
    rejected = Tree(
        id="t-0002",
        seed_page_id=1,
        vertices=[],
        status="rejected",
        provenance=provenance,
        reject_reason=SCRIPT,
    )
    question = Question(
        id="q-0001",
        tree_id="t-0001",
        question=f"{SCRIPT} Which?",
        answer='"><svg onload=alert(6)>',
        aliases=["<iframe src=x>"],
        hops=1,
        vertices=2,
        gold_page_ids=[0, 1],
        gold_urls=[],
        provenance=provenance,
    )
    verdict = Verdict(
        question_id="q-0001", check=SCRIPT, passed=False, reason=SCRIPT, evidence={"error": SCRIPT}
    )
    call = LLMCallRecord(
        stage=SCRIPT,
        model="m",
        template="<iframe src=x>",
        prompt_tokens=1,
        completion_tokens=1,
        seconds=0.1,
        cache_hit=False,
    )
    for folder, records, info in (
        ("trees", [tree, rejected], {}),
        ("questions", [question], {}),
        ("verdicts", [verdict], {"config": {"checks": [SCRIPT]}}),
    ):
        with ShardWriter(shard_path(run / folder, "synth-00000")) as writer:
            writer.write_all(records)
        mark_done(run / folder, "synth-00000", info)
    with ShardWriter(shard_path(run / "llm_calls", "1"), append=True) as writer:
        writer.write(call)
