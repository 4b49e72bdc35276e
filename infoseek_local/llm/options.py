"""Click options shared by every command that talks to an LLM (synth, verify, sample, doctor)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from .factory import BACKENDS, DEFAULT_MAX_IN_FLIGHT, LLMConfig
from .models import EMBEDDED_NOTE

LLM_OPTION_NAMES = ("model", "endpoints", "backend", "n_ctx", "threads", "max_in_flight")


def llm_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Add --model, --endpoint (repeatable), --max-in-flight, --backend, --n-ctx and --threads to a command."""
    decorators = [
        click.option(
            "--model",
            type=click.Path(dir_okay=False),
            default=None,
            help="GGUF model file for the in-process llama.cpp backend (default: embedded SmolLM2-135M).",
        ),
        click.option(
            "--endpoint",
            "endpoints",
            multiple=True,
            help="OpenAI-compatible server URL (llama.cpp server, vLLM, SGLang); repeat for a pool.",
        ),
        click.option(
            "--max-in-flight",
            type=click.IntRange(min=1),
            default=DEFAULT_MAX_IN_FLIGHT,
            show_default=True,
            help="Most calls one worker keeps in flight at each --endpoint; a failed call moves to another.",
        ),
        click.option(
            "--backend",
            type=click.Choice(BACKENDS),
            default=None,
            help="LLM backend (default: openai with --endpoint, else llamacpp); fake: tests and dry runs.",
        ),
        click.option(
            "--n-ctx",
            type=click.IntRange(min=256),
            default=2048,
            show_default=True,
            help="Context size in tokens.",
        ),
        click.option(
            "--threads",
            type=click.IntRange(min=1),
            default=None,
            help="CPU threads for llama.cpp (default: all available).",
        ),
    ]
    for decorator in reversed(decorators):
        command = decorator(command)
    return command


def llm_config_from_options(options: dict[str, Any], *, seed: int = 0, echo_note: bool = True) -> LLMConfig:
    """Take the llm_options values out of a command's kwargs (removing them) and build an LLMConfig.

    Prints on stderr which model is used when it is the tiny embedded default, and how to pass a better one.
    """
    config = LLMConfig(
        model=options.pop("model", None),
        endpoints=tuple(options.pop("endpoints", ()) or ()),
        backend=options.pop("backend", None),
        n_ctx=options.pop("n_ctx", 2048),
        threads=options.pop("threads", None),
        seed=seed,
        max_in_flight=options.pop("max_in_flight", DEFAULT_MAX_IN_FLIGHT),
    )
    if echo_note and uses_embedded_model(config):
        click.echo(f"note: {EMBEDDED_NOTE}", err=True)
    return config


def uses_embedded_model(config: LLMConfig) -> bool:
    return config.backend in (None, "llamacpp") and not config.model and not config.endpoints
