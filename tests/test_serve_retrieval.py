"""The retrieval server: Search-R1 request/response shape, bad requests, concurrency."""

from __future__ import annotations

import http.client
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from infoseek_local.agent.server import RetrievalServer, ServerConfig, make_server
from infoseek_local.errors import ConfigError
from infoseek_local.index.reader import Index


@pytest.fixture(scope="module")
def server(sample_index: Path) -> Iterator[RetrievalServer]:
    config = ServerConfig(port=0, max_topk=20, max_queries=8, max_body_bytes=4096, workers=2)
    srv = make_server(sample_index, config)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()
    thread.join(5)


def call(server: RetrievalServer, method: str, path: str, body: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(server.url + path, data=body, method=method)
    request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def retrieve(server: RetrievalServer, payload: Any) -> tuple[int, Any]:
    return call(server, "POST", "/retrieve", json.dumps(payload).encode())


def test_retrieve_with_scores_has_search_r1_shape(server: RetrievalServer) -> None:
    status, data = retrieve(
        server, {"queries": ["Danube river", "Cyrus the Great"], "topk": 3, "return_scores": True}
    )
    assert status == 200
    assert len(data["result"]) == 2
    for hits in data["result"]:
        assert 1 <= len(hits) <= 3
        scores = [hit["score"] for hit in hits]
        assert scores == sorted(scores, reverse=True)
        for hit in hits:
            document = hit["document"]
            title, _, text = document["contents"].partition("\n")
            assert title == f'"{document["title"]}"'
            assert text
            assert document["id"] == str(document["page_id"])
    assert data["result"][0][0]["document"]["title"] == "Danube"
    with Index.open(server.index_dir) as index:
        in_process = index.search_many(["Danube river", "Cyrus the Great"], 3)
    served = [
        [(hit["document"]["page_id"], round(hit["score"], 4)) for hit in hits] for hits in data["result"]
    ]
    assert served == [[(hit.page_id, round(hit.score, 4)) for hit in hits] for hits in in_process]


def test_retrieve_without_scores_gives_bare_documents_and_default_topk(server: RetrievalServer) -> None:
    status, data = retrieve(server, {"queries": ["Danube"]})
    assert status == 200
    (hits,) = data["result"]
    assert len(hits) == 3  # Search-R1's default topk
    assert set(hits[0]) == {"id", "contents", "title", "url", "page_id"}


def test_query_without_terms_gives_empty_list(server: RetrievalServer) -> None:
    status, data = retrieve(server, {"queries": ["?!"], "topk": 2})
    assert (status, data) == (200, {"result": [[]]})


def test_health(server: RetrievalServer) -> None:
    status, data = call(server, "GET", "/health")
    assert status == 200
    assert data["status"] == "ok"
    assert data["pages"] == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"[1, 2]", "body must be a JSON object with a `queries` list"),
        (b"{}", "$.queries: must be a non-empty list of strings"),
        (b'{"queries": []}', "$.queries: must be a non-empty list of strings"),
        (b'{"queries": "Danube"}', "$.queries: must be a non-empty list of strings"),
        (b'{"queries": ["ok", 3]}', "$.queries[1]: must be a string"),
        (b'{"queries": ["ok", "  "]}', "$.queries[1]: empty query"),
        (b'{"queries": ["a","b","c","d","e","f","g","h","i"]}', "$.queries: 9 queries, at most 8 a request"),
        (b'{"queries": ["ok"], "topk": 0}', "$.topk: 0 is out of range 1..20"),
        (b'{"queries": ["ok"], "topk": 1000000}', "$.topk: 1000000 is out of range 1..20"),
        (b'{"queries": ["ok"], "topk": "3"}', "$.topk: must be an integer"),
        (b'{"queries": ["ok"], "topk": true}', "$.topk: must be an integer"),
        (b'{"queries": ["ok"], "return_scores": "yes"}', "$.return_scores: must be true or false"),
    ],
)
def test_bad_requests_get_400_with_message(server: RetrievalServer, body: bytes, message: str) -> None:
    status, data = call(server, "POST", "/retrieve", body)
    assert status == 400
    assert data["error"].startswith(message)


def test_huge_body_is_refused_before_reading(server: RetrievalServer) -> None:
    status, data = call(server, "POST", "/retrieve", b'{"queries": ["' + b"a" * 5000 + b'"]}')
    assert status == 413
    assert data["error"] == "body of 5017 bytes is over the limit of 4096 bytes"


def test_missing_content_length_is_411(server: RetrievalServer) -> None:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    connection.putrequest("POST", "/retrieve")
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 411
    assert json.loads(response.read())["error"] == "a valid Content-Length header is required"
    connection.close()


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("GET", "/retrieve", 405),
        ("POST", "/health", 405),
        ("DELETE", "/retrieve", 405),
        ("GET", "/nope", 404),
        ("POST", "/nope", 404),
    ],
)
def test_unknown_paths_and_methods(server: RetrievalServer, method: str, path: str, status: int) -> None:
    got, data = call(server, method, path, b"{}" if method == "POST" else None)
    assert got == status
    assert "error" in data


def test_keep_alive_connection_serves_several_requests(server: RetrievalServer) -> None:
    host, port = server.server_address[:2]
    connection = http.client.HTTPConnection(host, port, timeout=10)
    for query in ["Danube", "Cyrus the Great", "Kingdom of Germany"]:
        body = json.dumps({"queries": [query], "topk": 1}).encode()
        connection.request("POST", "/retrieve", body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        assert response.status == 200
        assert len(json.loads(response.read())["result"][0]) == 1
    connection.close()


def test_concurrent_requests_match_sequential_answers(server: RetrievalServer) -> None:
    queries = ["Danube", "Cyrus the Great", "Kingdom of Germany", "empire", "river delta", "ancient Iran"] * 8
    expected = {
        q: retrieve(server, {"queries": [q], "topk": 5, "return_scores": True})[1] for q in set(queries)
    }
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda q: retrieve(server, {"queries": [q], "topk": 5, "return_scores": True}), queries)
        )
    for query, (status, data) in zip(queries, answers, strict=True):
        assert status == 200
        assert data == expected[query]


def test_bad_config_and_busy_port_are_clear_errors(sample_index: Path, server: RetrievalServer) -> None:
    with pytest.raises(ConfigError, match=r"--topk 9: must be between 1 and --max-topk \(5\)"):
        make_server(sample_index, ServerConfig(port=0, default_topk=9, max_topk=5))
    port = server.server_address[1]
    with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
        make_server(sample_index, ServerConfig(port=port, workers=1))


def test_connections_over_the_limit_get_503(sample_index: Path) -> None:
    srv = make_server(sample_index, ServerConfig(port=0, workers=1, max_connections=1))
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    host, port = srv.server_address[:2]
    try:
        holder = http.client.HTTPConnection(host, port, timeout=10)
        holder.request("GET", "/health")
        assert holder.getresponse().read()  # this keep-alive connection now holds the only slot
        status, data = call(srv, "GET", "/health")
        assert (status, data) == (503, {"error": "too many open connections; retry later"})
        holder.close()
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_keep_alive_connections_have_nagle_off(sample_index: Path) -> None:
    """Headers and body leave in two writes; with Nagle's algorithm on, each keep-alive response waited for
    the client's delayed ACK (~40 ms). The server's side of every connection must carry TCP_NODELAY."""
    import socket

    srv = make_server(sample_index, ServerConfig(port=0, workers=1))
    accepted: list[socket.socket] = []
    accept = srv.get_request

    def recording_accept() -> tuple[socket.socket, Any]:
        connection, address = accept()
        accepted.append(connection)
        return connection, address

    srv.get_request = recording_accept  # type: ignore[method-assign]
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    host, port = srv.server_address[:2]
    try:
        client = http.client.HTTPConnection(host, port, timeout=10)
        body = json.dumps({"queries": ["Danube"], "topk": 1}).encode()
        for _ in range(2):  # the same keep-alive connection serves both
            client.request("POST", "/retrieve", body, {"Content-Type": "application/json"})
            response = client.getresponse()
            assert response.status == 200
            response.read()
        assert len(accepted) == 1
        assert accepted[0].getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
        client.close()
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(5)


def test_search_failure_is_a_json_500_and_the_server_keeps_serving(
    server: RetrievalServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from infoseek_local.agent import server as server_module

    def broken(*args: Any) -> Any:
        raise OSError("page store unreadable")

    monkeypatch.setattr(server_module, "retrieve", broken)
    status, data = retrieve(server, {"queries": ["Danube"]})
    assert (status, data) == (500, {"error": "search failed: OSError: page store unreadable"})
    monkeypatch.undo()
    assert retrieve(server, {"queries": ["Danube"]})[0] == 200
