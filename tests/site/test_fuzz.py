"""Property-based fuzzing of every public URL pattern: odd path segments,
query strings, language prefixes and methods never give a 500."""

import collections
import json
import re
import string

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import LocalePrefixPattern
from django.utils import translation
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from tests import factories
from tests.conftest import BASE_DIR, record_heartbeats

ARTIFACTS = BASE_DIR / "test-artifacts"

STATUSES = collections.Counter()


def routes(patterns, prefix=""):
    """Every route below ``patterns`` as a string with <converter> holes."""
    for pattern in patterns:
        text = str(pattern.pattern)
        if text.startswith("^"):
            text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text.strip("^$"))
        if isinstance(pattern, URLResolver):
            if getattr(pattern, "namespace", None) == "admin":
                continue
            yield from routes(pattern.url_patterns, prefix + text)
        elif isinstance(pattern, URLPattern):
            yield prefix + text


def all_routes():
    found = set()
    for pattern in get_resolver(settings.ROOT_URLCONF).url_patterns:
        if isinstance(pattern, URLResolver) and isinstance(pattern.pattern, LocalePrefixPattern):
            for language, _name in settings.LANGUAGES:
                with translation.override(language):
                    found.update(f"/{language}/{route}" for route in routes(pattern.url_patterns))
        else:
            found.update(f"/{route}" for route in routes([pattern]))
    return sorted(found)


ROUTES = all_routes()
HOLE = re.compile(r"<[^>]+>")

segments = st.one_of(
    st.sampled_from(["demo", "viet-nam", "0", "-1", "99999999999999999999", "..", "%00", "%zz"]),
    st.text(alphabet=string.ascii_letters + string.digits + "-_.~%đĐâ", min_size=1, max_size=40),
    st.text(min_size=1, max_size=20).map(lambda value: value.replace("/", "")).filter(bool),
)
query_values = st.one_of(
    st.sampled_from(["-1", "abc", "0", "99999", "2022-13", "%00", "\x00", "%E0%A4%A", "' OR 1=1"]),
    st.text(max_size=30),
    st.just("q" * 10_000),
)
query = st.dictionaries(
    st.sampled_from(
        [
            "page",
            "year",
            "q",
            "month",
            "category",
            "series",
            "country",
            "kind",
            "status",
            "participation",
            "focus",
            "type",
            "next",
            "days",
            "print",
        ]
    ),
    query_values,
    max_size=4,
)


def fill(route, draw_segment):
    return HOLE.sub(lambda _match: draw_segment(), route)


@pytest.fixture
def content():
    """A little of everything, so that real slugs resolve too."""
    factories.announcement()
    factories.meeting()
    factories.activity()


@hypothesis_settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    route=st.sampled_from(ROUTES),
    data=st.data(),
    params=query,
    method=st.sampled_from(["get", "get", "get", "head", "options", "post"]),
    prefix=st.sampled_from(["", "", "", "xx", "fr", "vi-VN", "EN", "%ff"]),
)
def test_no_public_url_gives_a_500(client, content, route, data, params, method, prefix):
    # The worker and beat run, as in production: /readyz has nothing to fail
    # for, however long the fuzzing takes.
    record_heartbeats()
    path = fill(route, lambda: data.draw(segments))
    if prefix:
        path = re.sub(r"^/(vi|en)/", f"/{prefix}/", path)
    response = getattr(client, method)(path, params)
    STATUSES[response.status_code] += 1
    assert response.status_code < 500, (method, path, params)
    if (
        400 <= response.status_code < 500
        and response.get("Content-Type", "").startswith("text/html")
        and method == "get"
    ):
        body = response.content.decode()
        assert 'lang="vi"' in body or 'lang="en"' in body


def test_fuzzing_reached_many_routes_and_statuses():
    """Keeps the histogram of the run above (it runs first in this module) in
    test-artifacts/fuzz-statuses.json."""
    assert sum(STATUSES.values()) >= 400, STATUSES
    assert len(ROUTES) >= 40
    ARTIFACTS.mkdir(exist_ok=True)
    histogram = {str(code): count for code, count in sorted(STATUSES.items())}
    (ARTIFACTS / "fuzz-statuses.json").write_text(
        json.dumps({"routes": len(ROUTES), "requests": histogram}, indent=1)
    )
