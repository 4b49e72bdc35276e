"""The OpenAI-compatible backend over a pool of real loopback servers (tools/mock_llm_pool.py): failover to
another server, one clear error when every server fails, and a bounded number of calls in flight."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import msgspec
import pytest
from ports import closed_port_url

from infoseek_local.cli import main
from infoseek_local.errors import LLMError
from infoseek_local.llm.base import GenParams, Message
from infoseek_local.llm.factory import open_llm
from infoseek_local.llm.openai_compat import OpenAIBackend

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from mock_llm_pool import MockLLMPool, MockLLMServer


class Choice(msgspec.Struct):
    colour: Literal["red", "blue"]


@pytest.fixture
def pool() -> Iterator[MockLLMPool]:
    with MockLLMPool(2) as started:
        yield started


def ask_many(llm_backend: OpenAIBackend, count: int) -> list[str]:
    """`count` generations, each from its own thread at once; returns their texts."""
    texts: list[str] = [""] * count
    errors: list[BaseException] = []

    def one(i: int) -> None:
        try:
            messages = [Message("user", f"call {i}")]
            texts[i] = llm_backend.generate(messages, {"enum": ["red", "blue"]}, GenParams(seed=i)).text
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return texts


def test_a_server_that_goes_down_mid_run_is_replaced_by_the_other(pool: MockLLMPool) -> None:
    llm = open_llm(endpoints=pool.urls, cache=False)
    first, second = pool.servers
    assert llm.ask("doctor", {"note": "x"}, Choice, stage="t").value.colour in ("red", "blue")
    first.stop()
    answers = [llm.ask("doctor", {"note": f"n{i}"}, Choice, stage="t").value for i in range(6)]
    assert all(a.colour in ("red", "blue") for a in answers)
    assert second.calls >= 6


def test_a_server_answering_500_is_skipped_and_every_call_succeeds(pool: MockLLMPool) -> None:
    pool.servers[0].mode = "error500"
    backend = OpenAIBackend([closed_port_url(), *pool.urls], backoff=0.0)
    texts = ask_many(backend, 8)
    assert len(texts) == 8 and set(texts) <= {"blue", "red"}
    assert pool.servers[1].calls == 8


def test_a_server_that_hangs_times_out_and_the_call_moves_on() -> None:
    hanging = MockLLMServer(latency=3.0, hold_until_in_flight=99)  # holds every call for 3 s
    with MockLLMPool(1) as pool:
        try:
            backend = OpenAIBackend([hanging.url, pool.urls[0]], timeout=0.3, backoff=0.0)
            texts = [backend.generate([Message("user", f"n{i}")], None, GenParams()).text for i in range(4)]
        finally:
            hanging.stop()
    assert all(texts)
    assert hanging.calls >= 1  # it was tried (and rested after its timeout) ...
    assert pool.servers[0].calls == 4  # ... and every call was answered by the other server


def test_all_servers_down_is_one_error_naming_each_server() -> None:
    down = [closed_port_url(), closed_port_url()]
    with pytest.raises(LLMError) as error:
        OpenAIBackend(down, backoff=0.0)
    message = str(error.value)
    assert message.startswith("no endpoint answered /models after 4 attempts: ")
    for url in down:
        assert f"{url}/v1: " in message
    assert message.count("refused") == 2


def test_all_servers_failing_mid_run_is_one_error_naming_each_server(pool: MockLLMPool) -> None:
    backend = OpenAIBackend(pool.urls, backoff=0.0)
    pool.servers[0].stop()
    pool.servers[1].mode = "error500"
    with pytest.raises(LLMError) as error:
        backend.generate([Message("user", "x")], None, GenParams())
    message = str(error.value)
    assert message.startswith("no endpoint answered /chat/completions after 4 attempts: ")
    assert f"{pool.urls[0]}/v1: " in message and "refused" in message
    assert f"{pool.urls[1]}/v1: HTTP 500" in message


@pytest.mark.parametrize("limit", [1, 2])
def test_calls_in_flight_per_server_are_bounded(limit: int) -> None:
    # each server holds a call until limit + 1 calls are in flight there (1.5 s at most): a client that sends
    # more than `limit` at once is released at once and caught by the peak count
    servers = [MockLLMServer(latency=1.5, hold_until_in_flight=limit + 1) for _ in range(2)]
    try:
        llm = open_llm(endpoints=[s.url for s in servers], cache=False, max_in_flight=limit)
        answers: list[Choice] = []

        def ask(i: int) -> None:
            answers.append(llm.ask("doctor", {"note": f"call {i}"}, Choice, stage="t").value)

        threads = [threading.Thread(target=ask, args=(i,)) for i in range(4 * limit)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(answers) == 4 * limit
        assert [s.peak_in_flight for s in servers] == [limit, limit]
        assert sum(s.calls for s in servers) == 4 * limit
    finally:
        for server in servers:
            server.stop()


def run_cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and stdout+stderr of `infoseek-local ARGS`, run the way the console script runs it."""
    try:
        main(args)
        code = 0
    except SystemExit as exit_info:
        code = int(exit_info.code or 0)
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def test_synth_runs_against_a_pool_with_one_server_down(
    sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run = tmp_path / "run"
    with MockLLMPool(1) as pool:
        endpoints = ["--endpoint", closed_port_url(), "--endpoint", pool.urls[0]]
        args = ["synth", "--index", str(sample_index), "--out", str(run), "--n", "3", "--seed", "4"]
        code, output = run_cli([*args, "--max-in-flight", "2", *endpoints], capsys)
        assert code == 0, output
        assert pool.calls > 0
    assert f"{run}: 3 seeds" in output
    assert list((run / "trees").iterdir())


def test_synth_with_every_server_down_exits_with_one_error(
    sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    down = [closed_port_url(), closed_port_url()]
    args = ["synth", "--index", str(sample_index), "--out", str(tmp_path / "run"), "--n", "2"]
    code, output = run_cli([*args, "--endpoint", down[0], "--endpoint", down[1]], capsys)
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, output
    assert lines[0].startswith("error: no endpoint answered /models after 4 attempts: ")
    assert all(f"{url}/v1: " in lines[0] for url in down)


def test_max_in_flight_must_be_positive(
    sample_index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["synth", "--index", str(sample_index), "--out", str(tmp_path / "run"), "--max-in-flight", "0"]
    code, output = run_cli([*args, "--endpoint", "http://127.0.0.1:9"], capsys)
    assert code == 2
    assert "--max-in-flight" in output and "0" in output
