"""Rich text is sanitized by an allow-list whatever the way in."""

import pytest

from asean_portal.core.richtext import sanitize_html
from events.models import Announcement
from tests import factories

PAYLOADS = [
    '<script>alert("x")</script><p>ok</p>',
    '<p onclick="alert(1)">ok</p>',
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">ok</a>',
    '<a href="JaVaScRiPt:alert(1)">ok</a>',
    '<a href="java&#115;cript:alert(1)">ok</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">ok</a>',
    '<iframe src="https://evil.example/"></iframe><p>ok</p>',
    '<p style="background:url(javascript:alert(1))">ok</p>',
    "<style>body{display:none}</style><p>ok</p>",
    '<svg onload="alert(1)"><circle r="1"/></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<object data="evil.swf"></object><embed src="evil.swf">',
    '<form action="https://evil.example/"><input name="x"></form>',
    '<p><a href="https://asean.org/" target="_blank" onmouseover="x()">ASEAN</a></p>',
    "<!--<script>alert(1)</script>--><p>ok</p>",
    '<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">',
    '<table><tr><td background="javascript:alert(1)">x</td></tr></table>',
]
FORBIDDEN = [
    "<script",
    "onerror",
    "onclick",
    "onload",
    "onmouseover",
    "javascript:",
    "data:",
    "<iframe",
    "style=",
    "<style",
    "<svg",
    "<object",
    "<embed",
    "<form",
    "<input",
    "<base",
    "<meta",
    "background=",
    "<!--",
    "xlink",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sanitizer_removes_dangerous_markup(payload):
    cleaned = sanitize_html(payload).lower()
    for needle in FORBIDDEN:
        assert needle not in cleaned, (payload, cleaned)


def test_sanitizer_keeps_editorial_markup():
    html = (
        "<h2>Tiêu đề</h2><p><strong>Đậm</strong> <em>nghiêng</em> "
        '<a href="https://asean.org/">ASEAN</a></p><ul><li>Một</li></ul>'
        "<table><thead><tr><th>Năm</th></tr></thead><tbody><tr><td>2020</td></tr></tbody></table>"
    )
    cleaned = sanitize_html(html)
    for kept in (
        "<h2>",
        "<strong>",
        "<em>",
        "<ul><li>",
        "<table>",
        "<th>",
        'href="https://asean.org/"',
    ):
        assert kept in cleaned
    assert 'rel="noopener noreferrer"' in cleaned


@pytest.mark.parametrize("payload", PAYLOADS)
def test_stored_content_is_sanitized_on_every_save(payload):
    item = factories.announcement(body_vi=payload, body_en=payload)
    stored = Announcement.objects.values_list("body_vi", "body_en").get(pk=item.pk)
    for value in stored:
        for needle in FORBIDDEN:
            assert needle not in value.lower()


def test_bulk_inserts_are_sanitized_too():
    category = factories.category()
    Announcement.objects.bulk_create(
        [Announcement(title_vi="x", slug_vi="x", category=category, body_vi=PAYLOADS[0])]
    )
    assert Announcement.objects.get().body_vi == "<p>ok</p>"


def test_admin_form_stores_sanitized_html(client):
    from tests.core.test_admin import post_announcement

    client.force_login(factories.staff(superuser=True))
    payload = '<p onclick="steal()">Nội dung</p><script>alert(1)</script>'
    response = post_announcement(client, body_vi=payload)
    assert response.status_code == 302
    assert Announcement.objects.get().body_vi == "<p>Nội dung</p>"


def test_public_page_shows_no_injected_script(client):
    item = factories.announcement(body_vi='<p>An toàn</p><script>alert("x")</script>')
    html = client.get(f"/vi/tin-tuc/{item.slug_vi}/").content.decode()
    assert "<p>An toàn</p>" in html
    assert 'alert("x")' not in html
