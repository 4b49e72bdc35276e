"""The OpenAI-compatible backend against small local HTTP servers: pool, failover, garbage, bad requests."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Literal

import msgspec
import pytest
from ports import closed_port_url

from infoseek_local.errors import LLMError
from infoseek_local.llm.base import GenParams
from infoseek_local.llm.factory import open_llm
from infoseek_local.llm.openai_compat import OpenAIBackend, normalize_endpoint


class Choice(msgspec.Struct):
    colour: Literal["red", "blue"]


class QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that time out leave broken pipes behind; that is the point of those tests


class FakeServer:
    """Answers /v1/models and /v1/chat/completions the way `mode` says; keeps every request body."""

    def __init__(self, mode: str = "ok", content: str = '{"colour": "blue"}') -> None:
        self.mode = mode
        self.content = content
        self.bodies: list[dict] = []
        self.release = threading.Event()  # "slow" requests wait for it (at most 5 s)
        self.slow_answered = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, payload: bytes) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                self._send(
                    200, json.dumps({"data": [{"id": "served-model", "max_model_len": 4096}]}).encode()
                )

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.bodies.append(body)
                if server.mode == "garbage":
                    self._send(200, b"<html>proxy error</html>")
                elif server.mode == "wrong-shape":
                    self._send(200, json.dumps({"result": "hi"}).encode())
                elif server.mode == "500":
                    self._send(500, b'{"error": "overloaded"}')
                elif server.mode == "400":
                    self._send(400, b'{"error": "json_schema not supported"}')
                elif server.mode == "json_object-only" and body["response_format"]["type"] != "json_object":
                    detail = {
                        "detail": [{"msg": "Input should be 'text' or 'json_object'", "input": "json_schema"}]
                    }
                    self._send(422, json.dumps(detail).encode())
                elif server.mode == "slow":
                    server.release.wait(5.0)
                    server.slow_answered += 1
                    self._send(200, b"{}")
                else:
                    answer = {
                        "choices": [{"message": {"content": server.content}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 40, "completion_tokens": 6},
                        "timings": {"prompt_ms": 20.0, "cache_n": 12},
                    }
                    self._send(200, json.dumps(answer).encode())

        self.httpd = QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def servers() -> Iterator[list[FakeServer]]:
    started = [FakeServer(), FakeServer()]
    yield started
    for server in started:
        server.close()


def test_endpoint_urls_are_normalised() -> None:
    assert normalize_endpoint("http://h:8080") == "http://h:8080/v1"
    assert normalize_endpoint("http://h:8080/v1/") == "http://h:8080/v1"
    assert normalize_endpoint("http://h:8080/v1/chat/completions") == "http://h:8080/v1"
    with pytest.raises(LLMError, match=r"must start with http:// or https://"):
        normalize_endpoint("localhost:8080")


def test_pool_is_used_round_robin_and_sends_the_schema(servers: list[FakeServer]) -> None:
    llm = open_llm(endpoints=[s.url for s in servers], cache=False)
    assert (llm.backend.name, llm.model_id, llm.n_ctx) == ("openai", "served-model", 4096)
    for _ in range(4):
        answer = llm.ask("doctor", {"note": "x"}, Choice, stage="t")
        assert answer.value == Choice("blue")
        assert (answer.prompt_tokens, answer.completion_tokens) == (40, 6)
    assert [len(s.bodies) for s in servers] == [2, 2]
    body = servers[0].bodies[0]
    assert body["model"] == "served-model"
    assert body["response_format"]["type"] == "json_schema"
    assert body["response_format"]["json_schema"]["schema"]["properties"]["colour"] == {
        "enum": ["blue", "red"]
    }
    assert body["messages"][-1] == {"role": "user", "content": "<data>\nx\n</data>"}


def test_a_down_or_failing_endpoint_is_skipped(servers: list[FakeServer]) -> None:
    servers[1].mode = "500"
    backend = OpenAIBackend([closed_port_url(), servers[1].url, servers[0].url], backoff=0.0)
    llm = open_llm(backend="fake")  # reuse the client logic over the real HTTP backend
    llm.backend = backend
    for _ in range(3):
        assert llm.ask("doctor", {"note": "x"}, Choice, stage="t").value == Choice("blue")
    assert len(servers[0].bodies) == 3


def test_all_endpoints_down_is_a_clear_error() -> None:
    down = closed_port_url()
    with pytest.raises(LLMError) as error:
        OpenAIBackend([down], backoff=0.0)
    assert str(error.value).startswith(f"no endpoint answered /models after 3 attempts: {down}/v1: ")
    assert "refused" in str(error.value).lower()


@pytest.mark.parametrize("mode", ["garbage", "wrong-shape"])
def test_garbage_answers_are_retried_a_bounded_number_of_times(servers: list[FakeServer], mode: str) -> None:
    servers[0].mode = mode
    backend = OpenAIBackend([servers[0].url], max_attempts=2, backoff=0.0)
    llm = open_llm(backend="fake")
    llm.backend = backend
    with pytest.raises(LLMError, match=r"answer|garbage"):
        llm.ask("doctor", {"note": "x"}, Choice, stage="t")
    assert 2 <= len(servers[0].bodies) <= 4


def test_bad_request_is_not_retried(servers: list[FakeServer]) -> None:
    servers[0].mode = "400"
    backend = OpenAIBackend([servers[0].url], backoff=0.0)
    with pytest.raises(LLMError) as error:
        backend.generate([], None, GenParams())
    assert str(error.value) == (
        f"{servers[0].url}/v1/chat/completions: HTTP 400: " + '{"error": "json_schema not supported"}'
    )
    assert len(servers[0].bodies) == 1


def test_timeouts_are_bounded(servers: list[FakeServer]) -> None:
    servers[0].mode = "slow"
    backend = OpenAIBackend([servers[0].url], timeout=0.1, max_attempts=2, backoff=0.0)
    llm = open_llm(backend="fake")
    llm.backend = backend
    with pytest.raises(LLMError, match=r"no endpoint answered /chat/completions after 2 attempts"):
        llm.ask("doctor", {"note": "x"}, Choice, stage="t")
    # the server held both requests unanswered: the client gave up on each without waiting for an answer
    answered_while_asking = servers[0].slow_answered
    servers[0].release.set()
    assert answered_while_asking == 0


def test_servers_that_only_take_json_object_with_schema_are_served(servers: list[FakeServer]) -> None:
    servers[0].mode = "json_object-only"  # llama-cpp-python's own server
    llm = open_llm(endpoints=[servers[0].url], cache=False)
    for _ in range(2):
        assert llm.ask("doctor", {"note": "x"}, Choice, stage="t").value == Choice("blue")
    styles = [body["response_format"]["type"] for body in servers[0].bodies]
    assert styles == ["json_schema", "json_object", "json_object"]
    assert servers[0].bodies[1]["response_format"]["schema"]["required"] == ["colour"]
