"""OpenAI-compatible HTTP backend (llama.cpp server, vLLM, SGLang) over the standard library.

Calls go to an `EndpointPool`: the least busy endpoint, at most `max_in_flight` calls at a time on each (so
one backend object can be shared by threads). A call that fails on one endpoint (connection refused, timeout,
HTTP 5xx/429, or an answer that is not a chat completion) moves to an endpoint it has not tried, with
exponential backoff once every endpoint has failed, for a bounded number of attempts; the error then names
each endpoint and its last failure. Other HTTP 4xx answers are errors in the request itself and are not
retried. The answer schema is sent as `response_format: json_schema`.
"""

from __future__ import annotations

import json
import math
import os
import time
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

from ..errors import LLMError
from .base import GenParams, Message, RawGeneration
from .endpoint_pool import DEFAULT_MAX_IN_FLIGHT, EndpointPool

API_KEY_ENV = "INFOSEEK_LOCAL_API_KEY"


def normalize_endpoint(url: str) -> str:
    """The API base ending in /v1: accepts `http://host:port`, `.../v1` or `.../v1/chat/completions`."""
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise LLMError(f"endpoint {url!r} must start with http:// or https:// (e.g. http://127.0.0.1:8080)")
    for suffix in ("/chat/completions", "/completions"):
        if url.endswith(suffix):
            url = url[: -len(suffix)]
    return url if url.endswith("/v1") else url + "/v1"


class _Retryable(Exception):
    """A failure another attempt (maybe on another endpoint) may not have."""


class _BadRequest(LLMError):
    """HTTP 4xx: the server refused this request; retrying it unchanged would not help."""

    def __init__(self, message: str, code: int, detail: str) -> None:
        super().__init__(message)
        self.code = code
        self.detail = detail


class OpenAIBackend:
    name = "openai"
    thread_safe = True  # the pool bounds and spreads concurrent calls; the client need not serialise them

    def __init__(
        self,
        endpoints: Sequence[str],
        *,
        model: str | None = None,
        n_ctx: int = 2048,
        timeout: float = 120.0,
        max_attempts: int | None = None,
        backoff: float = 0.5,
        max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
    ) -> None:
        if not endpoints:
            raise LLMError("the openai backend needs at least one --endpoint URL")
        self.endpoints = list(dict.fromkeys(normalize_endpoint(e) for e in endpoints))
        self.pool = EndpointPool(self.endpoints, max_in_flight=max_in_flight)
        self.timeout = timeout
        self.max_attempts = max_attempts or max(3, 2 * len(self.endpoints))
        self.backoff = backoff
        self._api_key = os.environ.get(API_KEY_ENV, "")
        self._schema_style = "json_schema"  # OpenAI style; llama-cpp-python's server wants json_object+schema
        served, served_ctx = self._discover_model()
        self.model_id = model or served
        self.model_sha256 = f"openai-model:{self.model_id}"  # servers do not expose file hashes
        self.n_ctx = served_ctx or n_ctx

    # ── transport ──────────────────────────────────────────────────────────────────────────────────────

    def _request(self, base: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(base + path, data=data, method="POST" if body is not None else "GET")
        request.add_header("Content-Type", "application/json")
        if self._api_key:
            request.add_header("Authorization", f"Bearer {self._api_key}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
            if exc.code >= 500 or exc.code in (408, 429):
                raise _Retryable(f"HTTP {exc.code} {detail}".strip()) from None
            message = f"{base}{path}: HTTP {exc.code}: {detail or exc.reason}"
            raise _BadRequest(message, exc.code, detail) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _Retryable(str(reason)) from None
        try:
            answer = json.loads(raw)
        except ValueError:
            raise _Retryable(f"answered non-JSON {raw[:80]!r}") from None
        if not isinstance(answer, dict):
            raise _Retryable(f"answered {type(answer).__name__}, not a JSON object")
        return answer

    def _with_retries(self, path: str, body: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
        last_failure: dict[str, str] = {}  # endpoint -> why it failed this call, in the order they failed
        tried: set[str] = set()
        rounds = 0
        for attempt in range(self.max_attempts):
            with self.pool.lease(tried) as base:
                try:
                    answer = self._request(base, path, body)
                except _Retryable as exc:
                    self.pool.report(base, answered=False)
                    last_failure.pop(base, None)
                    last_failure[base] = str(exc)
                    tried.add(base)
                except _BadRequest:
                    self.pool.report(base, answered=True)  # the server is up; the request is wrong
                    raise
                else:
                    self.pool.report(base, answered=True)
                    return base, answer
            if len(tried) == len(self.endpoints) and attempt + 1 < self.max_attempts:
                rounds += 1
                tried.clear()
                time.sleep(min(self.backoff * 2 ** (rounds - 1), 8.0))  # every endpoint failed: wait, retry
        raise LLMError(
            f"no endpoint answered {path} after {self.max_attempts} attempts: "
            + "; ".join(f"{base}: {why}" for base, why in last_failure.items())
        )

    def _discover_model(self) -> tuple[str, int]:
        base, answer = self._with_retries("/models", None)
        models = answer.get("data")
        if not isinstance(models, list) or not models or not isinstance(models[0], dict):
            raise LLMError(f"{base}/models: answer lists no model; is this an OpenAI-compatible server?")
        first = models[0]
        return str(first.get("id", "default")), int(first.get("max_model_len") or 0)

    # ── Backend protocol ───────────────────────────────────────────────────────────────────────────────

    def generate(
        self, messages: list[Message], json_schema: dict[str, Any] | None, params: GenParams
    ) -> RawGeneration:
        body: dict[str, Any] = {
            "model": self.model_id,
            "messages": [{"role": m.role, "content": m.content} for m in messages],
            "temperature": params.temperature,
            "top_p": params.top_p,
            "max_tokens": params.max_tokens,
            "seed": params.seed,
            "repeat_penalty": params.repeat_penalty,  # llama.cpp server
            "repetition_penalty": params.repeat_penalty,  # vLLM, SGLang
        }
        started = time.perf_counter()
        garbage = ""
        for _ in range(self.max_attempts):
            if json_schema is not None:
                body["response_format"] = self._response_format(json_schema)
            try:
                base, answer = self._with_retries("/chat/completions", body)
            except _BadRequest as exc:
                if (
                    json_schema is None
                    or self._schema_style != "json_schema"
                    or "json_schema" not in exc.detail
                ):
                    raise
                self._schema_style = "json_object"  # the server rejected the OpenAI style: use the other one
                continue
            try:
                return self._parse_completion(answer, time.perf_counter() - started, messages)
            except _Retryable as exc:
                self.pool.report(base, answered=False)
                garbage = f"{base}: {exc}"
        raise LLMError(f"endpoints keep answering garbage to /chat/completions: {garbage or 'no answer'}")

    def _response_format(self, json_schema: dict[str, Any]) -> dict[str, Any]:
        if self._schema_style == "json_object":
            return {"type": "json_object", "schema": json_schema}
        return {
            "type": "json_schema",
            "json_schema": {"name": "answer", "schema": json_schema, "strict": True},
        }

    def _parse_completion(
        self, answer: dict[str, Any], seconds: float, messages: list[Message]
    ) -> RawGeneration:
        try:
            choice = answer["choices"][0]
            text = choice["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise _Retryable(f"not a chat completion: {json.dumps(answer)[:120]}") from None
        if not isinstance(text, str):
            raise _Retryable("chat completion without text content")
        usage = answer.get("usage") or {}
        timings = answer.get("timings") or {}  # llama.cpp server extension
        prompt_ms = timings.get("prompt_ms")
        return RawGeneration(
            text=text,
            prompt_tokens=int(
                usage.get("prompt_tokens") or sum(self.count_tokens(m.content) for m in messages)
            ),
            completion_tokens=int(usage.get("completion_tokens") or self.count_tokens(text)),
            seconds=seconds,
            finish_reason=str(choice.get("finish_reason") or ""),
            prompt_seconds=prompt_ms / 1000.0 if isinstance(prompt_ms, int | float) else None,
            reused_prompt_tokens=int(timings.get("cache_n") or 0),
        )

    def count_tokens(self, text: str) -> int:
        # no portable tokenizer endpoint: over-estimate (3 bytes a token) so fitted prompts never overflow
        return math.ceil(len(text.encode("utf-8")) / 3)

    def close(self) -> None:
        pass
