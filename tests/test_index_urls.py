"""URL canonicalisation: properties (hypothesis) and the cases links meet in real pages."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoseek_local.corpus.urls import canonical_url, slow_canonical_url, surt_key

hosts = st.from_regex(r"[a-zA-Z][a-zA-Z0-9-]{0,10}(\.[a-zA-Z]{2,6}){1,2}", fullmatch=True)
# raw <, >, " and ` are rejected on purpose (they mean markup leaked into an href; see test_examples)
path_chars = st.characters(codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters='<>"`')
segments = st.lists(st.text(path_chars, max_size=8), max_size=4)
urls = st.builds(
    lambda scheme, host, port, path, query, fragment: (
        f"{scheme}://{host}{port}/{'/'.join(path)}{query}{fragment}"
    ),
    st.sampled_from(["http", "https", "HTTP", "Https"]),
    hosts,
    st.sampled_from(["", ":80", ":443", ":8080"]),
    segments,
    st.sampled_from(["", "?", "?a=1&b=2", "?q=%7E"]),
    st.sampled_from(["", "#", "#top", "#a b"]),
)


@settings(max_examples=100, deadline=None)
@given(urls)
def test_canonical_is_idempotent(url):
    once = canonical_url(url)
    assert once is not None
    assert canonical_url(once) == once


@settings(max_examples=100, deadline=None)
@given(urls)
def test_canonical_has_no_fragment_and_lowercase_host(url):
    canonical = canonical_url(url)
    assert "#" not in canonical
    host = canonical.split("://", 1)[1].split("/", 1)[0]
    assert host == host.lower()
    assert canonical.startswith(("http://", "https://"))


@settings(max_examples=100, deadline=None)
@given(urls, st.text(max_size=30))
def test_resolving_never_raises_and_stays_web(base, href):
    canonical = canonical_url(href, canonical_url(base))
    assert canonical is None or canonical.startswith(("http://", "https://"))


@settings(max_examples=100, deadline=None)
@given(urls)
def test_fragment_and_case_variants_meet(url):
    base = canonical_url(url)
    assert canonical_url(base + "#section") == base
    scheme, rest = base.split("://", 1)
    host, _, path = rest.partition("/")
    assert canonical_url(f"{scheme.upper()}://{host.upper()}/{path}") == base


@pytest.mark.parametrize(
    ("href", "base", "expected"),
    [
        ("HTTP://Example.COM:80/a/../b?#x", None, "http://example.com/b"),
        ("../c d", "https://w.org/a/b/", "https://w.org/a/c%20d"),
        ("//cdn.org/x", "https://w.org/", "https://cdn.org/x"),
        ("<http://example.com/>", None, "http://example.com/"),
        ("  /x\n", "https://w.org/a", "https://w.org/x"),
        ("https://en.wikipedia.org/wiki/Caf%C3%A9", None, "https://en.wikipedia.org/wiki/Caf%C3%A9"),
        ("https://münchen.de/", None, "https://xn--mnchen-3ya.de/"),
        ("javascript:alert(1)", None, None),
        ("mailto:a@b.c", None, None),
        ("ftp://files.org/x", None, None),
        ("http://[::1", None, None),
        ("", "https://w.org/", None),
        ("http://a.org/<script>", None, None),
        ("#top", None, None),
    ],
)
def test_examples(href, base, expected):
    assert canonical_url(href, base) == expected


def test_surt_key_reverses_host():
    assert surt_key("https://www.en.example.org:8080/a?b=1") == "org,example,en:8080)/a?b=1"


relative = st.one_of(
    st.builds(lambda p: "/" + "/".join(p), segments),
    st.builds(lambda p, q: "/" + "/".join(p) + q, segments, st.sampled_from(["?x=1", "?", "?a'b", "?%7e"])),
    st.sampled_from(["/./a", "/a/../b", "/%2e%2E/x", "//host.org/p", "/a?b#c", "/A%zz", "/x y"]),
    urls,
)


@settings(max_examples=150, deadline=None)
@given(relative, urls)
def test_fast_path_agrees_with_the_whatwg_parser(href, base):
    canonical_base = canonical_url(base)
    assert canonical_url(href, canonical_base) == slow_canonical_url(href, canonical_base)
    assert canonical_url(href) == slow_canonical_url(href)
