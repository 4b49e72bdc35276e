"""`LLM`: the one object stages talk to. Templates in, typed values out, the same way for every backend.

`ask` renders a versioned template, appends the answer's JSON schema to the system text (static, so it stays in
the shared KV-cache prefix), enforces the schema through the backend, decodes into the answer type, and retries
a bounded number of times (new seed, some temperature, more room when the answer was cut) when the text does
not decode or `check` rejects the value. Every generation is cached under (model sha256, template version,
messages, schema, params) and every `ask` is logged as an `LLMCallRecord`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from .. import __version__
from ..errors import LLMError
from ..records import LLMCacheEntry, LLMCallRecord, Provenance
from .accounting import CallLog, CallStats
from .base import Backend, Completion, GenParams, Message, RawGeneration
from .cache import CallCache, call_key
from .schema import answer_schema, decode_answer, schema_text, type_name
from .templates import Template, load_template

T = TypeVar("T")

SCHEMA_INSTRUCTION = "\n\nAnswer with one JSON object that matches this JSON schema:\n"
MESSAGE_OVERHEAD_TOKENS = 8  # role markers the chat template adds around each message
SAFETY_TOKENS = 16
RETRY_TEMPERATURE = 0.5


class LLM:
    def __init__(
        self,
        backend: Backend,
        *,
        run_dir: Path | None = None,
        cache: CallCache | None = None,
        max_retries: int = 2,
        default_params: GenParams | None = None,
        prompts_dir: Path | None = None,
    ) -> None:
        self.backend = backend
        self.cache = cache if cache is not None else CallCache(None)
        self.log = CallLog(run_dir)
        self.max_retries = max_retries
        self.default_params = default_params or GenParams()
        self.prompts_dir = prompts_dir
        self._templates_used: set[str] = set()
        self._lock = threading.Lock()

    # ── identity ──────────────────────────────────────────────────────────────────────────────────────

    @property
    def model_id(self) -> str:
        return self.backend.model_id

    @property
    def model_sha256(self) -> str:
        return self.backend.model_sha256

    @property
    def n_ctx(self) -> int:
        return self.backend.n_ctx

    @property
    def stats(self) -> CallStats:
        return self.log.stats

    def template_version(self, name: str) -> str:
        return load_template(name, self.prompts_dir).version

    def provenance(self, seed: int, config: Mapping[str, Any], templates: tuple[str, ...] = ()) -> Provenance:
        """Provenance naming this model and the templates given (default: every template asked so far)."""
        versions = (
            sorted(self.template_version(t) for t in templates) if templates else sorted(self._templates_used)
        )
        return Provenance(
            tool_version=__version__,
            model=self.model_id,
            model_sha256=self.model_sha256,
            template_version=",".join(versions),
            seed=seed,
            config=dict(config),
        )

    # ── tokens ────────────────────────────────────────────────────────────────────────────────────────

    def count_tokens(self, text: str) -> int:
        return self.backend.count_tokens(text)

    def fit(self, text: str, max_tokens: int) -> str:
        """The longest prefix of `text` within `max_tokens` tokens, cut at a word boundary where one is near."""
        if max_tokens <= 0:
            return ""
        if self.count_tokens(text) <= max_tokens:
            return text
        low, high = 0, min(len(text), max_tokens * 16)  # no token is longer than 16 characters in practice
        while low < high:
            middle = (low + high + 1) // 2
            if self.count_tokens(text[:middle]) <= max_tokens:
                low = middle
            else:
                high = middle - 1
        cut = text[:low]
        boundary = max(cut.rfind(" "), cut.rfind("\n"))
        if boundary >= low * 0.8:
            cut = cut[:boundary]
        return cut.rstrip()

    def prompt_tokens(self, messages: list[Message]) -> int:
        return sum(self.count_tokens(m.content) + MESSAGE_OVERHEAD_TOKENS for m in messages) + SAFETY_TOKENS

    # ── asking ────────────────────────────────────────────────────────────────────────────────────────

    def render(self, template: str, variables: Mapping[str, str], answer_type: Any = None) -> list[Message]:
        """The exact messages `ask` would send (schema instruction included)."""
        loaded = load_template(template, self.prompts_dir)
        schema = schema_text(answer_type) if answer_type is not None else ""
        return _with_schema(loaded.render(dict(variables)), schema)

    def ask(
        self,
        template: str,
        variables: Mapping[str, str],
        answer_type: type[T] | None = None,
        *,
        stage: str,
        params: GenParams | None = None,
        fit_var: str | None = None,
        check: Callable[[Any], str | None] | None = None,
    ) -> Completion[T]:
        """Ask with template `template`; `fit_var` names the variable (page text) to cut so the prompt fits;
        `check(value)` returns a reason to reject a decoded value (then the call is retried), or None."""
        loaded = load_template(template, self.prompts_dir)
        self._templates_used.add(loaded.version)
        params = params or self.default_params
        schema = answer_schema(answer_type) if answer_type is not None else None
        schema_json = schema_text(answer_type) if answer_type is not None else ""
        variables = dict(variables)
        if fit_var is not None:
            variables[fit_var] = self._fitted_variable(loaded, variables, fit_var, schema_json, params)
        messages = _with_schema(loaded.render(variables), schema_json)
        prompt_tokens = self.prompt_tokens(messages)
        if prompt_tokens + params.max_tokens > self.n_ctx:
            raise LLMError(
                f"template {loaded.version}: prompt of ~{prompt_tokens} tokens plus max_tokens "
                f"{params.max_tokens} exceeds the context of {self.n_ctx}; cut page text (fit_var=) or raise --n-ctx"
            )
        return self._ask_with_retries(
            loaded, messages, schema, schema_json, answer_type, params, stage, check
        )

    def _fitted_variable(
        self, loaded: Template, variables: dict[str, str], fit_var: str, schema_json: str, params: GenParams
    ) -> str:
        if fit_var not in variables:
            raise LLMError(f"template {loaded.version}: fit_var {fit_var!r} is not among the variables given")
        static = _with_schema(loaded.render({**variables, fit_var: ""}), schema_json)
        static_tokens = self.prompt_tokens(static)
        uses = max(1, sum(text.count("{" + fit_var + "}") for _, text in loaded.sections))
        budget = (self.n_ctx - params.max_tokens - static_tokens) // uses
        if budget <= 0:
            raise LLMError(
                f"template {loaded.version}: its fixed part (~{static_tokens} tokens) plus max_tokens "
                f"{params.max_tokens} leaves no room for {fit_var} in a context of {self.n_ctx}; "
                "raise --n-ctx, lower max_tokens or shorten the other variables"
            )
        return self.fit(variables[fit_var], budget)

    def _ask_with_retries(
        self,
        loaded: Template,
        messages: list[Message],
        schema: dict[str, Any] | None,
        schema_json: str,
        answer_type: Any,
        params: GenParams,
        stage: str,
        check: Callable[[Any], str | None] | None,
    ) -> Completion[Any]:
        spent = _Spent()
        problem = ""
        raw: RawGeneration | None = None
        for attempt in range(self.max_retries + 1):
            if attempt:
                params = self._retry_params(params, attempt, raw, messages)
            try:
                raw, hit = self._generate(loaded.version, messages, schema, schema_json, params)
            except LLMError as exc:
                self._log(loaded, stage, spent, attempt, ok=False, error=str(exc))
                raise
            spent.add(raw, hit)
            try:
                value, repaired = self._decode(raw.text, answer_type)
            except msgspec.DecodeError as exc:
                problem = f"{exc}" + (" (answer cut at max_tokens)" if raw.finish_reason == "length" else "")
                continue
            spent.repairs += repaired
            reason = check(value) if check is not None else None
            if reason:
                problem = f"rejected by check: {reason}"
                continue
            self._log(loaded, stage, spent, attempt, ok=True)
            return Completion(
                value=value,
                text=raw.text,
                prompt_tokens=spent.prompt_tokens,
                completion_tokens=spent.completion_tokens,
                seconds=spent.seconds,
                cache_hit=spent.all_hits,
                retries=attempt,
            )
        wanted = type_name(answer_type) if answer_type is not None else "text"
        message = (
            f"template {loaded.version}: model {self.model_id} gave no valid {wanted} in "
            f"{self.max_retries + 1} attempts; last problem: {problem}; last answer: {raw.text[:100]!r}"
            if raw is not None
            else f"template {loaded.version}: no attempt made"
        )
        self._log(loaded, stage, spent, self.max_retries, ok=False, error=message)
        raise LLMError(message)

    def _retry_params(
        self, params: GenParams, attempt: int, last: RawGeneration | None, messages: list[Message]
    ) -> GenParams:
        # greedy decoding would repeat the same answer: vary the seed and sample a little
        max_tokens = params.max_tokens
        if last is not None and last.finish_reason == "length":
            room = self.n_ctx - self.prompt_tokens(messages)
            max_tokens = max(max_tokens, min(max_tokens * 2, room))
        return msgspec.structs.replace(
            params,
            seed=params.seed + 1,
            temperature=max(params.temperature, RETRY_TEMPERATURE),
            max_tokens=max_tokens,
        )

    def _generate(
        self,
        template_version: str,
        messages: list[Message],
        schema: dict[str, Any] | None,
        schema_json: str,
        params: GenParams,
    ) -> tuple[RawGeneration, bool]:
        key = call_key(self.model_sha256, template_version, messages, schema_json, params)
        entry = self.cache.get(key)
        if entry is not None:
            raw = RawGeneration(
                entry.text,
                entry.prompt_tokens,
                entry.completion_tokens,
                0.0,
                finish_reason=entry.finish_reason,
            )
            return raw, True
        if getattr(self.backend, "thread_safe", False):  # e.g. an endpoint pool, which bounds its own calls
            raw = self.backend.generate(messages, schema, params)
        else:  # one generation at a time per model object: llama.cpp contexts are not thread-safe
            with self._lock:
                raw = self.backend.generate(messages, schema, params)
        self.cache.put(
            LLMCacheEntry(
                key=key,
                text=raw.text,
                prompt_tokens=raw.prompt_tokens,
                completion_tokens=raw.completion_tokens,
                seconds=raw.seconds,
                finish_reason=raw.finish_reason,
            )
        )
        return raw, False

    @staticmethod
    def _decode(text: str, answer_type: Any) -> tuple[Any, bool]:
        if answer_type is None:
            return text.strip(), False
        return decode_answer(text, answer_type)

    def _log(
        self, loaded: Template, stage: str, spent: _Spent, retries: int, *, ok: bool, error: str = ""
    ) -> None:
        self.log.record(
            LLMCallRecord(
                stage=stage,
                model=self.model_id,
                template=loaded.version,
                prompt_tokens=spent.prompt_tokens,
                completion_tokens=spent.completion_tokens,
                seconds=spent.seconds,
                cache_hit=spent.all_hits,
                retries=retries,
                ok=ok,
                error=error,
                backend=self.backend.name,
                repairs=spent.repairs,
            )
        )

    def close(self) -> None:
        self.cache.close()
        self.log.close()
        self.backend.close()

    def __enter__(self) -> LLM:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Spent:
    """Tokens and time summed over the attempts of one `ask`."""

    def __init__(self) -> None:
        self.prompt_tokens = 0
        self.completion_tokens = 0
        self.seconds = 0.0
        self.repairs = 0
        self.attempts = 0
        self.hits = 0

    def add(self, raw: RawGeneration, hit: bool) -> None:
        self.prompt_tokens += raw.prompt_tokens
        self.completion_tokens += raw.completion_tokens
        self.seconds += raw.seconds
        self.attempts += 1
        self.hits += hit

    @property
    def all_hits(self) -> bool:
        return self.attempts > 0 and self.hits == self.attempts


def _with_schema(messages: list[Message], schema_json: str) -> list[Message]:
    if not schema_json:
        return messages
    instruction = SCHEMA_INSTRUCTION + schema_json
    if messages and messages[0].role == "system":
        return [Message("system", messages[0].content + instruction), *messages[1:]]
    return [Message("system", instruction.lstrip()), *messages]
