"""`infoseek-local serve` under hostile load: a light client's latency while 64 slow clients trickle bytes, and a
burst of 200 simultaneous connects; next to the same light client on an idle server (the anchor).

    python tools/bench_serve_hostile.py --index indexes/sample      # or --warc FILE to build an index first

The server is the real CLI in its own process with its defaults (64 connection slots, 30 s request deadline).
Slow clients each open a connection, send a request head, then one byte every `--trickle-every` seconds.
The light client opens a new connection for each of `--requests` one-query requests and waits 20 ms between.
"""

from __future__ import annotations

import argparse
import http.client
import json
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BODY = json.dumps({"queries": ["river in Europe"], "topk": 3}).encode()


def one_request(port: int) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("POST", "/retrieve", BODY, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        status = response.status
        connection.close()
    except OSError:
        status = 0
    return time.perf_counter() - started, status


def light_client(port: int, requests: int) -> tuple[list[float], Counter[int]]:
    latencies, statuses = [], Counter()
    for _ in range(requests):
        seconds, status = one_request(port)
        statuses[status] += 1
        if status == 200:
            latencies.append(seconds)
        time.sleep(0.02)
    return latencies, statuses


def trickle(port: int, every: float, stop: threading.Event) -> None:
    """A slowloris client: reconnects whenever the server cuts it off, until `stop`."""
    while not stop.is_set():
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=60)
            sock.sendall(b"POST /retrieve HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
            while not stop.wait(every):
                sock.sendall(b" ")
            sock.close()
        except OSError:
            stop.wait(0.1)


def p95(values: list[float]) -> str:
    if len(values) < 2:
        return "-"
    return f"{statistics.quantiles(values, n=20)[-1] * 1000:.1f} ms"


def report(label: str, latencies: list[float], statuses: Counter[int]) -> None:
    median = f"{statistics.median(latencies) * 1000:.1f} ms" if latencies else "-"
    worst = f"{max(latencies) * 1000:.0f} ms" if latencies else "-"
    print(f"{label:44} p50 {median:>9}  p95 {p95(latencies):>9}  max {worst:>7}  statuses {dict(statuses)}")


def wait_ready(port: int) -> None:
    for _ in range(300):
        if one_request(port)[1] == 200:
            return
        time.sleep(0.1)
    raise SystemExit("server did not come up")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--index", type=Path)
    parser.add_argument("--warc", type=Path, default=Path("infoseek_local/data/vital10k-small.warc.gz"))
    parser.add_argument("--slow-clients", type=int, default=64)
    parser.add_argument("--trickle-every", type=float, default=5.0)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--port", type=int, default=18731)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_serve_hostile-") as tmp:
        index = args.index
        if index is None:
            index = Path(tmp) / "index"
            subprocess.run(
                [sys.executable, "-m", "infoseek_local.cli", "index", str(args.warc), "--out", str(index)],
                check=True,
                capture_output=True,
            )
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "infoseek_local.cli",
                "serve",
                "--index",
                str(index),
                "--port",
                str(args.port),
            ],
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(args.port)
            report("anchor: light client, idle server", *light_client(args.port, args.requests))
            stop = threading.Event()
            slow = [
                threading.Thread(target=trickle, args=(args.port, args.trickle_every, stop), daemon=True)
                for _ in range(args.slow_clients)
            ]
            for thread in slow:
                thread.start()
            time.sleep(max(3.0, args.trickle_every))  # the slow clients now hold every slot
            report(f"light client, {args.slow_clients} slow clients", *light_client(args.port, args.requests))
            stop.set()
            with ThreadPoolExecutor(args.burst) as pool:
                results = list(pool.map(lambda _: one_request(args.port), range(args.burst)))
            latencies = [s for s, status in results if status == 200]
            report(
                f"burst of {args.burst} connects at once", latencies, Counter(status for _, status in results)
            )
        finally:
            server.terminate()
            server.wait(10)


if __name__ == "__main__":
    main()
