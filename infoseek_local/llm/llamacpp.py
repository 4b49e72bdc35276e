"""llama-cpp-python in-process backend: any GGUF, the answer's JSON schema enforced as a grammar.

The model is loaded once per process per (path, n_ctx, threads). llama.cpp keeps the KV cache of the previous
prompt in the `Llama` object and re-evaluates only what follows the shared prefix, so callers put static text
first. `llama_cpp` is imported here only, when a model is opened.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import threading
import time
from pathlib import Path
from typing import Any

from ..errors import LLMError
from .base import GenParams, Message, RawGeneration
from .models import check_gguf, file_sha256

_MODELS: dict[tuple[str, int, int], Any] = {}
_IN_USE: dict[tuple[str, int, int], threading.Lock] = {}  # a llama.cpp context serves one call at a time
_LOAD_LOCK = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free models before interpreter shutdown; `Llama.__del__` during teardown finds llama.cpp gone and prints noise."""
    with _LOAD_LOCK:
        for model in _MODELS.values():
            with contextlib.suppress(Exception):
                model.close()
        _MODELS.clear()


def available_cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def default_threads() -> int:
    """Cores not already busy. llama.cpp's threads wait for each other at every graph node, so one more
    thread than free cores costs a lot: measured here on 2 busy cores, 2 threads generated 1.1 tokens/s
    and 1 thread 15-20 tokens/s."""
    cores = available_cores()
    try:
        busy = os.getloadavg()[0]
    except OSError:
        return cores
    return max(1, min(cores, int(cores - busy + 0.5)))


def _prefer_passive_waiting() -> None:
    # OpenMP threads spin while they wait; on a shared machine that steals the cores the other threads need
    # (measured: 2 threads on 2 busy cores, 1.1 -> 12 tokens/s with PASSIVE). Must be set before libgomp loads.
    try:
        busy = os.getloadavg()[0] >= available_cores() * 0.5
    except OSError:
        return
    if busy:
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")


def _cpu_has_amx() -> bool:
    try:
        with open("/proc/cpuinfo") as f:
            return " amx_tile" in f.read(1 << 16)
    except OSError:
        return False


def _extra_buffers_wanted() -> bool:
    # llama.cpp's AMX weight buffers execute AMX tile instructions; some VMs advertise AMX but trap them
    # (SIGILL measured here), so they are off on AMX CPUs unless INFOSEEK_LOCAL_LLAMA_EXTRA_BUFFERS=1.
    configured = os.environ.get("INFOSEEK_LOCAL_LLAMA_EXTRA_BUFFERS")
    if configured is not None:
        return configured == "1"
    return not _cpu_has_amx()


@contextlib.contextmanager
def _model_params_without_extra_buffers(llama_cpp_module: Any):
    original = llama_cpp_module.llama_model_default_params

    def patched() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    llama_cpp_module.llama_model_default_params = patched
    try:
        yield
    finally:
        llama_cpp_module.llama_model_default_params = original


def load_llama(path: Path, n_ctx: int, threads: int) -> Any:
    """The process-wide `Llama` for this file and settings (loaded on first use)."""
    key = (str(path), n_ctx, threads)
    with _LOAD_LOCK:
        if key in _MODELS:
            return _MODELS[key]
        try:
            _prefer_passive_waiting()
            import llama_cpp
            from llama_cpp import Llama
        except ImportError as exc:
            raise LLMError(
                f"llama-cpp-python is not importable ({exc}); pip install llama-cpp-python"
            ) from None
        guard = (
            contextlib.nullcontext()
            if _extra_buffers_wanted()
            else _model_params_without_extra_buffers(llama_cpp.llama_cpp)
        )
        try:
            with guard:
                model = Llama(
                    model_path=str(path),
                    n_ctx=n_ctx,
                    n_threads=threads,
                    n_threads_batch=threads,
                    verbose=False,
                )
        except (ValueError, RuntimeError, OSError) as exc:
            raise LLMError(f"{path}: llama.cpp could not load the model: {exc}") from None
        _attach_state_cache(model, llama_cpp)
        _MODELS[key] = model
        _IN_USE[key] = threading.Lock()
        return model


def state_cache_megabytes() -> int:
    return int(os.environ.get("INFOSEEK_LOCAL_KV_CACHE_MB", "256"))


def _attach_state_cache(model: Any, llama_cpp_module: Any) -> None:
    # llama.cpp itself only reuses the prefix of the *previous* prompt; stages alternate templates (planner,
    # browser, ...), so keep recent KV states in RAM and restore the one sharing the longest prefix
    # (measured: alternating two 364-token prompts, 6.3 s -> 0.6 s a call on 2 busy cores).
    megabytes = state_cache_megabytes()
    if megabytes > 0:
        model.set_cache(_sized_ram_cache(llama_cpp_module, megabytes << 20))


def _sized_ram_cache(llama_cpp_module: Any, capacity_bytes: int) -> Any:
    """llama-cpp-python's RAM cache, with each state's whole size counted against the capacity.

    Its own count is the C state only, but every saved state also holds a copy of the logits array (n_batch x
    n_vocab float32: 100 MB for SmolLM2's 49k vocabulary), so a 256 MB cache grew without bound: `sample`
    with the embedded model peaked at 1.45 GB RSS on 3 questions (275 MB with the cache off, same speed)."""

    class SizedRAMCache(llama_cpp_module.LlamaRAMCache):  # type: ignore[misc, name-defined]
        @property
        def cache_size(self) -> int:
            return sum(
                state.llama_state_size + state.scores.nbytes + state.input_ids.nbytes
                for state in self.cache_state.values()
            )

    return SizedRAMCache(capacity_bytes=capacity_bytes)


def grammar_for_schema(schema_text: str) -> str:
    """GBNF for a self-contained JSON schema, or an LLMError naming what llama.cpp cannot express."""
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    try:
        return json_schema_to_gbnf(schema_text)
    except Exception as exc:  # the converter raises bare ValueError/KeyError/AssertionError
        raise LLMError(
            f"the answer schema cannot be expressed as a llama.cpp grammar ({type(exc).__name__}: {exc}); "
            "use plain types: Struct, str with max_length, int with ge/le, Literal, list with max_length"
        ) from None


class LlamaCppBackend:
    name = "llamacpp"

    def __init__(self, model_path: Path, *, n_ctx: int = 2048, threads: int | None = None) -> None:
        path = check_gguf(model_path)
        self.model_path = path
        self.model_id = path.name
        self.model_sha256 = file_sha256(path)
        self.threads = threads or default_threads()
        self._llama = load_llama(path, n_ctx, self.threads)
        self._in_use = _IN_USE[(str(path), n_ctx, self.threads)]
        self.n_ctx = int(self._llama.n_ctx())
        self._grammars: dict[str, Any] = {}

    def _grammar(self, schema: dict[str, Any]) -> Any:
        import json

        from llama_cpp import LlamaGrammar

        text = json.dumps(schema)
        if text not in self._grammars:
            self._grammars[text] = LlamaGrammar.from_string(grammar_for_schema(text), verbose=False)
        return self._grammars[text]

    def generate(
        self, messages: list[Message], json_schema: dict[str, Any] | None, params: GenParams
    ) -> RawGeneration:
        grammar = self._grammar(json_schema) if json_schema is not None else None
        with self._in_use:
            return self._generate(messages, grammar, params)

    def _generate(self, messages: list[Message], grammar: Any, params: GenParams) -> RawGeneration:
        import llama_cpp

        context = self._llama._ctx.ctx
        llama_cpp.llama_perf_context_reset(context)
        started = time.perf_counter()
        try:
            response = self._llama.create_chat_completion(
                messages=[{"role": m.role, "content": m.content} for m in messages],
                grammar=grammar,
                temperature=params.temperature,
                top_p=params.top_p,
                max_tokens=params.max_tokens,
                repeat_penalty=params.repeat_penalty,
                seed=params.seed,
            )
        except ValueError as exc:  # e.g. "Requested tokens (3000) exceed context window of 2048"
            raise LLMError(f"{self.model_id}: {exc}; cut page text with LLM.fit or raise --n-ctx") from None
        seconds = time.perf_counter() - started
        perf = llama_cpp.llama_perf_context(context)
        choice = response["choices"][0]
        usage = response["usage"]
        return RawGeneration(
            text=choice["message"]["content"] or "",
            prompt_tokens=usage["prompt_tokens"],
            completion_tokens=usage["completion_tokens"],
            seconds=seconds,
            finish_reason=choice.get("finish_reason") or "",
            prompt_seconds=perf.t_p_eval_ms / 1000.0,
            reused_prompt_tokens=max(0, usage["prompt_tokens"] - perf.n_p_eval),
        )

    def count_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=False))

    def close(self) -> None:
        pass  # the model stays loaded for the next LLM in this process (see load_llama)
