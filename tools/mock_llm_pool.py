"""A pool of mock OpenAI-compatible servers on loopback, for benchmarks and tests of the endpoint pool.

    python tools/mock_llm_pool.py --servers 2 --latency 0.3      # prints one endpoint URL a line, serves

Each server answers `GET /v1/models` and `POST /v1/chat/completions` the way the deterministic fake backend
(`infoseek_local/llm/fake.py`) would: a schema-valid answer derived from a hash of the messages, the schema
(`response_format`, OpenAI or llama.cpp style) and the call's seed, so the real synth, verify and sample code
runs end to end against it. Every call takes `latency` seconds (a stand-in for a GPU server's generation
time). A server counts its calls and the most calls it held at once, can be told to answer HTTP 500 or to go
down (its port closed), and binds 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from infoseek_local.llm.base import GenParams, Message  # noqa: E402
from infoseek_local.llm.fake import FakeBackend  # noqa: E402

Mode = Literal["ok", "error500"]
SERVED_MODEL = "mock-fake"


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst from many workers must queue, not be refused

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that give up leave broken pipes behind


class MockLLMServer:
    """One mock server; each call takes `latency` seconds. With `hold_until_in_flight=n` a call is instead held
    until n calls are in flight together, `latency` seconds at most: a client that keeps fewer than n calls in
    flight then shows its true peak in `peak_in_flight`, and one that sends more is caught at once."""

    def __init__(
        self, *, latency: float = 0.0, seed: int = 0, hold_until_in_flight: int = 0, mode: Mode = "ok"
    ) -> None:
        self.latency = latency
        self.seed = seed
        self.hold_until_in_flight = hold_until_in_flight
        self.mode: Mode = mode
        self.calls = 0
        self.in_flight = 0
        self.peak_in_flight = 0
        self.call_starts: list[float] = []  # time.monotonic() of each call, for benchmarks
        self._changed = threading.Condition()
        self._httpd = _QuietServer(("127.0.0.1", 0), self._handler_class())
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self._up = True

    def stop(self) -> None:
        """Close the port: later calls are refused, as from a server that died."""
        if self._up:
            self._up = False
            self._httpd.shutdown()
            self._httpd.server_close()

    def answer(self, body: dict[str, Any]) -> dict[str, Any]:
        """The chat completion the fake backend gives for this request body."""
        messages = [Message(str(m["role"]), str(m["content"])) for m in body.get("messages", [])]
        params = GenParams(
            temperature=float(body.get("temperature") or 0.0),
            max_tokens=int(body.get("max_tokens") or 256),
            top_p=float(body.get("top_p") or 0.95),
            seed=int(body.get("seed") or 0),
        )
        generated = FakeBackend(seed=self.seed).generate(messages, _schema_of(body), params)
        return {
            "id": f"mock-{self.calls}",
            "object": "chat.completion",
            "model": SERVED_MODEL,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": generated.text},
                    "finish_reason": generated.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": generated.prompt_tokens,
                "completion_tokens": generated.completion_tokens,
            },
        }

    @contextmanager
    def _one_call(self) -> Iterator[None]:
        with self._changed:
            self.call_starts.append(time.monotonic())
            self.calls += 1
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self._changed.notify_all()
        try:
            if self.hold_until_in_flight:
                with self._changed:
                    self._changed.wait_for(lambda: self.in_flight >= self.hold_until_in_flight, self.latency)
            elif self.latency:
                time.sleep(self.latency)
            yield
        finally:
            with self._changed:
                self.in_flight -= 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, code: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path.rstrip("/") != "/v1/models":
                    self._send(404, {"error": f"no route {self.path}"})
                    return
                self._send(200, {"object": "list", "data": [{"id": SERVED_MODEL, "max_model_len": 4096}]})

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if self.path.rstrip("/") != "/v1/chat/completions":
                    self._send(404, {"error": f"no route {self.path}"})
                    return
                with server._one_call():
                    if server.mode == "error500":
                        self._send(500, {"error": "mock server told to fail"})
                    else:
                        self._send(200, server.answer(body))

        return Handler


def _schema_of(body: dict[str, Any]) -> dict[str, Any] | None:
    response_format = body.get("response_format") or {}
    if response_format.get("type") == "json_schema":
        return response_format.get("json_schema", {}).get("schema")
    if response_format.get("type") == "json_object":
        return response_format.get("schema")  # llama-cpp-python's server style
    return None


class MockLLMPool:
    """`size` mock servers started together; `urls` are their endpoints; `close()` stops them all."""

    def __init__(
        self, size: int, *, latency: float = 0.0, seed: int = 0, hold_until_in_flight: int = 0
    ) -> None:
        self.servers = [
            MockLLMServer(latency=latency, seed=seed, hold_until_in_flight=hold_until_in_flight)
            for _ in range(size)
        ]

    @property
    def urls(self) -> list[str]:
        return [server.url for server in self.servers]

    @property
    def calls(self) -> int:
        return sum(server.calls for server in self.servers)

    def call_starts(self) -> list[float]:
        """time.monotonic() of every call since `restart_clock()`, over all servers, in order."""
        return sorted(t for server in self.servers for t in server.call_starts)

    def restart_clock(self) -> None:
        for server in self.servers:
            server.call_starts = []

    def close(self) -> None:
        for server in self.servers:
            server.stop()

    def __enter__(self) -> MockLLMPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--servers", type=int, default=2, help="how many servers (ports)")
    parser.add_argument("--latency", type=float, default=0.3, help="seconds each call takes")
    parser.add_argument("--seed", type=int, default=0, help="the fake backend's seed")
    args = parser.parse_args(argv)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with MockLLMPool(args.servers, latency=args.latency, seed=args.seed) as pool:
        print("\n".join(pool.urls), flush=True)
        with suppress(KeyboardInterrupt):
            stop.wait()
        print(f"served {pool.calls} calls", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
