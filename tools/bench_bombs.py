"""Peak RSS of `infoseek-local index` on decompression bombs, next to indexing a normal small file.

    python tools/bench_bombs.py                 # bombs whose last record inflates to 1 GiB
    python tools/bench_bombs.py --inflate-mib 256

Built in a temporary directory, each run in its own process: stage "read" iterates the WARC reader alone (the
completeness probes run there), stage "index" runs `index --workers 1` (reading happens in the measured process): (1) anchor: a normal .warc.gz of 20 small pages; (2) a .warc.zst whose one record
inflates to `--inflate-mib`; (3) a .warc.gz of 20 small pages and a last record that inflates to
`--inflate-mib`; (4) the same with the big record in the middle. Peak RSS is the child's VmHWM.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import zstandard

PAGE = b"<html><head><title>Page %d</title></head><body><p>Page %d is a small page about rivers.</p></body></html>"
CHUNK = 1 << 20


def warc_record(url: str, body_length: int) -> tuple[bytes, bytes]:
    """(WARC + HTTP headers of an HTML 200 response, the bytes that end the record) for a body of that length."""
    http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % body_length
    header = (
        b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: %s\r\n"
        b"WARC-Record-ID: <urn:uuid:%s>\r\nContent-Type: application/http; msgtype=response\r\n"
        b"Content-Length: %d\r\n\r\n"
    ) % (url.encode(), str(abs(hash(url))).encode(), len(http) + body_length)
    return header + http, b"\r\n\r\n"


def small_record(number: int) -> bytes:
    body = PAGE % (number, number)
    head, tail = warc_record(f"http://example.org/page{number}", len(body))
    return head + body + tail


def gzip_member(parts: list[bytes], filler: int = 0) -> bytes:
    """One gzip member of `parts`, with `filler` spaces streamed in after the first part (never held)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = io.BytesIO()
    out.write(compressor.compress(parts[0]))
    block = b" " * CHUNK
    for start in range(0, filler, CHUNK):
        out.write(compressor.compress(block[: min(CHUNK, filler - start)]))
    for part in parts[1:]:
        out.write(compressor.compress(part))
    out.write(compressor.flush())
    return out.getvalue()


def zstd_frame(parts: list[bytes], filler: int = 0) -> bytes:
    out = io.BytesIO()
    with zstandard.ZstdCompressor(level=19).stream_writer(out, closefd=False) as writer:
        writer.write(parts[0])
        block = b" " * CHUNK
        for start in range(0, filler, CHUNK):
            writer.write(block[: min(CHUNK, filler - start)])
        for part in parts[1:]:
            writer.write(part)
    return out.getvalue()


def bomb_record(codec, number: int, inflate: int) -> bytes:
    opening = b"<html><body><p>Bomb page %d.</p>" % number
    closing = b"</body></html>"
    head, tail = warc_record(f"http://example.org/bomb{number}", len(opening) + inflate + len(closing))
    return codec([head + opening, closing + tail], inflate)


def build(folder: Path, inflate: int) -> dict[str, Path]:
    small = [gzip_member([small_record(i)]) for i in range(20)]
    files = {
        "anchor: 20 small pages (.warc.gz)": b"".join(small),
        "bomb alone (.warc.zst)": bomb_record(zstd_frame, 0, inflate),
        "bomb last (.warc.gz)": b"".join(small) + bomb_record(gzip_member, 99, inflate),
        "bomb in the middle (.warc.gz)": b"".join(
            [*small[:10], bomb_record(gzip_member, 99, inflate), *small[10:]]
        ),
    }
    paths = {}
    for number, (label, data) in enumerate(files.items()):
        suffix = ".warc.zst" if "zst" in label else ".warc.gz"
        path = folder / f"input{number}{suffix}"
        path.write_bytes(data)
        paths[label] = path
    return paths


READ = (
    "from pathlib import Path\n"
    "from infoseek_local.corpus.warc import ReadStats, iter_html_responses\n"
    "stats = ReadStats()\n"
    "pages = sum(1 for _ in iter_html_responses(Path({path!r}), stats, max_body_bytes=4 << 20))\n"
    "print(pages, 'pages', dict(stats.skipped), stats.warnings[-1:] )\n"
)
INDEX = "from infoseek_local.cli import main\nmain(['index', {path!r}, '--out', {out!r}, '--workers', '1'])\n"
WRAP = (
    "import resource, sys\n"
    "try:\n"
    "    exec(compile({body!r}, 'bench', 'exec'))\n"
    "    code = 0\n"
    "except SystemExit as exit:\n"
    "    code = exit.code or 0\n"
    "except BaseException as exc:\n"
    "    print(type(exc).__name__, str(exc)[:200], file=sys.stderr)\n"
    "    code = 1\n"
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across exec
    "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1]\n"
    "print('RSS', hwm, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def measure(body: str) -> tuple[float, float, int, str]:
    """(peak RSS MiB, seconds, exit code, last output line) of running `body` in a fresh process."""
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", WRAP.format(body=body)], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    rss_lines = [line for line in result.stderr.splitlines() if line.startswith("RSS ")]
    rss = int(rss_lines[-1].split()[1]) / 1024 if rss_lines else float("nan")
    lines = (result.stdout + result.stderr).splitlines()
    other = [line for line in lines if line.strip() and not line.startswith("RSS")]
    return rss, seconds, result.returncode, (other[-1] if other else "")[:140]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--inflate-mib", type=int, default=1024)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_bombs-") as tmp:
        folder = Path(tmp)
        paths = build(folder, args.inflate_mib << 20)
        print(f"python {sys.version.split()[0]}, bomb records inflate to {args.inflate_mib} MiB")
        print(f"{'stage':6} {'input':32} {'file KiB':>9} {'peak RSS MiB':>13} {'seconds':>8} exit  last line")
        for stage, template in (("read", READ), ("index", INDEX)):
            for number, (label, path) in enumerate(paths.items()):
                body = template.format(path=str(path), out=str(folder / f"index-{number}"))
                rss, seconds, code, line = measure(body)
                size = path.stat().st_size / 1024
                print(f"{stage:6} {label:32} {size:9.0f} {rss:13.0f} {seconds:8.1f} {code:4}  {line}")


if __name__ == "__main__":
    main()
