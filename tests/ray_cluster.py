"""A real local Ray cluster for tests: `ray start --head --block` on free loopback ports, in its own session
and temp dir, stopped by signalling that one process group (never `ray stop`, which ends every Ray cluster
of the machine, other people's included)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

from ports import free_ports


@contextmanager
def local_ray_cluster(num_cpus: int = 2, timeout: float = 120, python_path: str = "") -> Iterator[str]:
    """Yield the address (host:port) of a fresh one-node Ray cluster whose workers also import from
    `python_path`; stop it, and only it, afterwards."""
    ray_bin = Path(sys.executable).with_name("ray")
    # Ray's unix sockets live under the temp dir, whose path must stay short
    temp_dir = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))
    gcs, client, agent, agent_grpc, runtime_env, metrics, node_manager, object_manager = free_ports(8)
    low = free_ports(1)[0]
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0", "HOME": str(temp_dir)}
    if python_path:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (python_path, env.get("PYTHONPATH", "")) if p)
    command = [
        str(ray_bin),
        "start",
        "--head",
        "--block",
        "--node-ip-address=127.0.0.1",
        f"--port={gcs}",
        f"--ray-client-server-port={client}",
        f"--dashboard-agent-listen-port={agent}",
        f"--dashboard-agent-grpc-port={agent_grpc}",
        f"--runtime-env-agent-port={runtime_env}",
        f"--metrics-export-port={metrics}",
        f"--node-manager-port={node_manager}",
        f"--object-manager-port={object_manager}",
        f"--min-worker-port={low}",
        f"--max-worker-port={min(low + 200, 65000)}",
        f"--num-cpus={num_cpus}",
        "--include-dashboard=false",
        "--disable-usage-stats",
        f"--temp-dir={temp_dir}",
    ]
    log = open(temp_dir / "ray-start.log", "w")
    head = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    address = f"127.0.0.1:{gcs}"
    try:
        _wait_until_up(ray_bin, address, env, head, temp_dir, timeout)
        yield address
    finally:
        _stop(head)
        log.close()
        shutil.rmtree(temp_dir, ignore_errors=True)


def _wait_until_up(
    ray_bin: Path, address: str, env: dict[str, str], head: subprocess.Popen, temp_dir: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if head.poll() is not None:
            raise RuntimeError(f"ray start exited: {(temp_dir / 'ray-start.log').read_text()[-2000:]}")
        status = subprocess.run(
            [str(ray_bin), "status", f"--address={address}"], env=env, capture_output=True, text=True
        )
        if status.returncode == 0 and "CPU" in status.stdout:
            return
        time.sleep(1)
    raise RuntimeError(f"the Ray cluster at {address} did not come up in {timeout:.0f} s")


def _stop(head: subprocess.Popen) -> None:
    """SIGTERM to `ray start --block` stops the processes it started; then anything left in its session."""
    with suppress(ProcessLookupError):
        head.send_signal(signal.SIGTERM)
    with suppress(subprocess.TimeoutExpired):
        head.wait(timeout=30)
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(head.pid, signal.SIGKILL)
    with suppress(subprocess.TimeoutExpired):
        head.wait(timeout=10)
