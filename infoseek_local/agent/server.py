"""A retrieval HTTP server over a local index, speaking the request/response shape of Search-R1's retriever.

Search-R1 (`search_r1/search/retrieval_server.py`, PeterGriffinJin/Search-R1 commit a14dc3a) serves
`POST /retrieve` with `{"queries": [...], "topk": k, "return_scores": bool}` and answers
`{"result": [[{"document": doc, "score": s}, ...], ...]}` (one list per query), or lists of bare `doc` when
`return_scores` is false; `topk` missing or null means the server's default. A `doc` is a corpus row
`{"id": ..., "contents": "\"Title\"\ntext"}` (its trainer splits `contents` at the first newline into title and
text); we add `title`, `url` and `page_id`, which its client ignores. `GET /health` reports the index.

Built on the stdlib ThreadingHTTPServer: one thread per connection (at most `max_connections`, beyond that a
slow reader is evicted or the newcomer gets an immediate 503; see connections.py), HTTP/1.1 keep-alive, a
wall-clock deadline per request, a listen backlog of `backlog`. `Index` is not thread-safe (its page store shares a file handle and an
LRU cache), so the server holds a pool of `workers` Index instances and each request borrows one.
Bad requests get a 4xx JSON body `{"error": "..."}`; bodies over `max_body_bytes` are refused before reading.
Binds 127.0.0.1 unless told otherwise: the server has no authentication.
"""

from __future__ import annotations

import json
import queue
import socket
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import msgspec

from .. import __version__
from ..errors import ConfigError
from ..text.instructions import redact_instructions
from .connections import ConnectionGuard

RETRIEVE_PATH = "/retrieve"
HEALTH_PATH = "/health"


class ServerConfig(msgspec.Struct, frozen=True, kw_only=True):
    host: str = "127.0.0.1"
    port: int = 8000
    default_topk: int = 3  # Search-R1's retriever default
    max_topk: int = 50
    max_queries: int = 256  # per request
    max_body_bytes: int = 1 << 20
    doc_chars: int = 1200  # page text per document, cut at a word boundary
    workers: int = 4  # Index instances, i.e. searches that run at once
    max_connections: int = 64
    request_timeout: float = 30.0  # seconds for one whole request (idle wait, reading, search), not per read
    evict_after: float = 2.0  # when full, a connection reading one request this long may give up its slot
    backlog: int = 1024  # connections the kernel queues before accept (capped by net.core.somaxconn)
    access_log: bool = False

    def check(self) -> None:
        if not 1 <= self.default_topk <= self.max_topk:
            raise ConfigError(
                f"--topk {self.default_topk}: must be between 1 and --max-topk ({self.max_topk})"
            )
        for name in ("max_queries", "max_body_bytes", "doc_chars", "workers", "max_connections", "backlog"):
            if getattr(self, name) < 1:
                raise ConfigError(f"--{name.replace('_', '-')} {getattr(self, name)}: must be at least 1")


class RequestError(Exception):
    """A request the server refuses; becomes an HTTP status and a JSON error body."""

    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def parse_retrieve_request(body: bytes, config: ServerConfig) -> tuple[list[str], int, bool]:
    """(queries, topk, return_scores) of a /retrieve body, or RequestError saying which field is wrong."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RequestError(HTTPStatus.BAD_REQUEST, f"body is not valid JSON: {exc}") from None
    except RecursionError:
        raise RequestError(
            HTTPStatus.BAD_REQUEST, "body nests too deeply to be a /retrieve request"
        ) from None
    if not isinstance(data, dict):
        raise RequestError(HTTPStatus.BAD_REQUEST, "body must be a JSON object with a `queries` list")
    queries = data.get("queries")
    if not isinstance(queries, list) or not queries:
        raise RequestError(HTTPStatus.BAD_REQUEST, "$.queries: must be a non-empty list of strings")
    if len(queries) > config.max_queries:
        raise RequestError(
            HTTPStatus.BAD_REQUEST,
            f"$.queries: {len(queries)} queries, at most {config.max_queries} a request",
        )
    for position, query in enumerate(queries):
        if not isinstance(query, str):
            raise RequestError(HTTPStatus.BAD_REQUEST, f"$.queries[{position}]: must be a string")
        if not query.strip():
            raise RequestError(HTTPStatus.BAD_REQUEST, f"$.queries[{position}]: empty query")
    topk = data.get("topk")
    if topk is None:
        topk = config.default_topk
    elif isinstance(topk, bool) or not isinstance(topk, int):
        raise RequestError(HTTPStatus.BAD_REQUEST, "$.topk: must be an integer")
    elif not 1 <= topk <= config.max_topk:
        raise RequestError(HTTPStatus.BAD_REQUEST, f"$.topk: {topk} is out of range 1..{config.max_topk}")
    return_scores = data.get("return_scores", False)
    if not isinstance(return_scores, bool):
        raise RequestError(HTTPStatus.BAD_REQUEST, "$.return_scores: must be true or false")
    return queries, topk, return_scores


def cut_text(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    cut = text[:max_chars]
    space = cut.rfind(" ")
    return (cut[:space] if space > max_chars // 2 else cut).rstrip() + " …"


class IndexPool:
    """`size` independently opened Index instances; `borrow()` lends one to the calling thread."""

    def __init__(self, index_dir: Path, size: int) -> None:
        from ..index.reader import Index

        self._free: queue.Queue[Any] = queue.Queue()
        self._all = [Index.open(index_dir) for _ in range(size)]
        for index in self._all:
            self._free.put(index)
        self.n_pages = self._all[0].n_pages

    @contextmanager
    def borrow(self, timeout: float) -> Iterator[Any]:
        try:
            index = self._free.get(timeout=timeout)
        except queue.Empty:
            raise RequestError(
                HTTPStatus.SERVICE_UNAVAILABLE, "all index workers busy; retry later"
            ) from None
        try:
            yield index
        finally:
            self._free.put(index)

    def close(self) -> None:
        for index in self._all:
            index.close()


def retrieve(
    index: Any, queries: list[str], topk: int, return_scores: bool, doc_chars: int
) -> list[list[Any]]:
    """Search-R1-shaped results for `queries` from one Index."""
    result: list[list[Any]] = []
    for hits in index.search_many(queries, topk, snippets=False):
        docs: list[Any] = []
        for hit in hits:
            text = index.page(hit.page_id).text
            if text.startswith(hit.title + "\n"):
                text = text[
                    len(hit.title) + 1 :
                ]  # page text starts with its title; contents carry it already
            document = {
                "id": str(hit.page_id),
                # page text goes into an agent's prompt: a sentence that speaks to the model is redacted
                "contents": f'"{hit.title}"\n{cut_text(redact_instructions(text.strip()), doc_chars)}',
                "title": hit.title,
                "url": hit.url,
                "page_id": hit.page_id,
            }
            docs.append({"document": document, "score": hit.score} if return_scores else document)
        result.append(docs)
    return result


class RetrievalHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: trainers send many small requests
    # headers and body go out in two writes; with Nagle on, the second waits for the client's delayed ACK
    # (measured: p50 45 ms per request on loopback instead of < 1 ms)
    disable_nagle_algorithm = True
    server: RetrievalServer
    server_version = f"infoseek-local/{__version__}"

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.config.request_timeout)

    def handle_one_request(self) -> None:
        self.server.guard.reading(self.connection)  # the deadline of the next request starts now
        super().handle_one_request()

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.config.access_log:
            super().log_message(format, *args)

    def log_error(self, format: str, *args: Any) -> None:
        super().log_message(format, *args)  # errors and timeouts are logged even without --access-log

    def _send_json(self, status: HTTPStatus, payload: Any, *, close: bool = False) -> None:
        body = json.dumps(payload, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        if status == HTTPStatus.METHOD_NOT_ALLOWED:
            self.send_header("Allow", "POST" if self.path.split("?")[0] == RETRIEVE_PATH else "GET")
        if close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if getattr(self, "command", None) != "HEAD":
            self.wfile.write(body)

    def _error(self, status: HTTPStatus, message: str, *, close: bool = False) -> None:
        self._send_json(status, {"error": message}, close=close)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Errors the stdlib raises itself (bad request line, huge headers) as JSON too, then close."""
        status = HTTPStatus(code)
        self._error(status, message or status.phrase, close=True)

    def _route_other(self) -> None:
        path = self.path.split("?")[0]
        if path in (RETRIEVE_PATH, HEALTH_PATH):
            self._error(HTTPStatus.METHOD_NOT_ALLOWED, f"{self.command} not allowed on {path}", close=True)
        else:
            self._error(
                HTTPStatus.NOT_FOUND,
                f"no such path {path}; use POST {RETRIEVE_PATH} or GET {HEALTH_PATH}",
                close=True,
            )

    def do_GET(self) -> None:
        if self.path.split("?")[0] != HEALTH_PATH:
            return self._route_other()
        self.server.guard.working(self.connection)
        config = self.server.config
        self._send_json(
            HTTPStatus.OK,
            {
                "status": "ok",
                "pages": self.server.pool.n_pages,
                "index": self.server.index_dir.name,  # its name only: a path tells clients about the host
                "default_topk": config.default_topk,
                "max_topk": config.max_topk,
                "max_queries": config.max_queries,
                "max_body_bytes": config.max_body_bytes,
                "version": __version__,
            },
        )

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = _route_other

    def do_POST(self) -> None:
        if self.path.split("?")[0] != RETRIEVE_PATH:
            return self._route_other()
        config = self.server.config
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._error(
                HTTPStatus.LENGTH_REQUIRED, "chunked bodies are not accepted; send Content-Length", close=True
            )
        lengths = self.headers.get_all("Content-Length") or []
        if len(lengths) > 1:
            # two lengths let a proxy and this server disagree on where the body ends (request smuggling)
            return self._error(HTTPStatus.BAD_REQUEST, "more than one Content-Length header", close=True)
        length = int(lengths[0]) if lengths and lengths[0].strip().isdigit() and lengths[0].isascii() else -1
        if length < 0:
            return self._error(
                HTTPStatus.LENGTH_REQUIRED, "a valid Content-Length header is required", close=True
            )
        if length > config.max_body_bytes:
            # the body is not read: answer and close, so the unread bytes cannot be taken for the next request
            return self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"body of {length} bytes is over the limit of {config.max_body_bytes} bytes",
                close=True,
            )
        try:
            body = self.rfile.read(length)
        except (TimeoutError, OSError):
            body = b""
        if len(body) < length:  # the client went away, or the deadline cut the connection
            self.close_connection = True
            return
        self.server.guard.working(self.connection)
        try:
            queries, topk, return_scores = parse_retrieve_request(body, config)
            with self.server.pool.borrow(config.request_timeout) as index:
                result = retrieve(index, queries, topk, return_scores, config.doc_chars)
        except RequestError as exc:
            return self._error(exc.status, exc.message)
        except Exception as exc:  # a broken index must not kill the connection without an answer
            self.log_error("retrieve failed: %r", exc)
            return self._error(
                HTTPStatus.INTERNAL_SERVER_ERROR, f"search failed: {type(exc).__name__}: {exc}"
            )
        self._send_json(HTTPStatus.OK, {"result": result})


class RetrievalServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, index_dir: Path, config: ServerConfig) -> None:
        config.check()
        self.config = config
        self.index_dir = Path(index_dir)
        self.pool = IndexPool(self.index_dir, config.workers)
        self.request_queue_size = config.backlog  # socketserver's default of 5 drops bursts of connects
        if ":" in config.host:
            self.address_family = socket.AF_INET6
        self.guard = ConnectionGuard(config.max_connections, config.request_timeout, config.evict_after)
        try:
            super().__init__((config.host, config.port), RetrievalHandler)
        except OSError as exc:
            self.pool.close()
            self.guard.close()
            raise ConfigError(
                f"cannot listen on {config.host}:{config.port} ({exc.strerror}); pick another --port"
            ) from None

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.guard.admit(request):
            _refuse_busy(request)
            self.shutdown_request(request)
            return
        super().process_request(request, client_address)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.guard.release(request)

    def server_close(self) -> None:
        super().server_close()
        self.guard.close()
        self.pool.close()


def _refuse_busy(request: socket.socket) -> None:
    body = b'{"error": "too many open connections; retry later"}'
    head = f"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    with suppress(OSError):
        request.sendall(head.encode() + body)


def make_server(index_dir: Path, config: ServerConfig | None = None) -> RetrievalServer:
    """A bound, not yet serving, retrieval server; call `serve_forever()` (and `server_close()` when done)."""
    return RetrievalServer(index_dir, config or ServerConfig())
