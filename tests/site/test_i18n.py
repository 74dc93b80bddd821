import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests.urls import public_page_names

PAGES = public_page_names()
LANGUAGES = [code for code, _ in settings.LANGUAGES]


def url(name, language):
    with translation.override(language):
        return reverse(name)


def switcher_links(html):
    nav = re.search(r'<nav class="language-switcher".*?</nav>', html, re.S).group(0)
    return {
        lang: href
        for href, lang in re.findall(r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+"', nav)
    }


def test_the_page_list_covers_every_section():
    assert {
        "home",
        "priorities:index",
        "meetings:list",
        "news:list",
        "civil_service:work_plan",
        "search",
    } <= set(PAGES)


@pytest.mark.parametrize(
    ("accept_language", "expected"),
    [
        ("en-GB,en;q=0.9", "/en/"),
        ("vi-VN,vi;q=0.9,en;q=0.5", "/vi/"),
        ("fr-FR,en;q=0.8", "/en/"),
        ("fr-FR", "/vi/"),
        (None, "/vi/"),
    ],
)
def test_root_redirects_by_accept_language_then_vietnamese(client, accept_language, expected):
    headers = {"HTTP_ACCEPT_LANGUAGE": accept_language} if accept_language else {}
    response = client.get("/", **headers)
    assert response.status_code == 302
    assert response["Location"] == expected


@pytest.mark.parametrize(("cookie", "header"), [("en", "vi"), ("vi", "en")])
def test_root_redirect_prefers_the_language_cookie(client, cookie, header):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = cookie
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response["Location"] == f"/{cookie}/"


def test_reading_a_page_remembers_its_language_for_the_root(client):
    response = client.get("/en/")
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME]["samesite"] == "Lax"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="vi")["Location"] == "/en/"


@pytest.mark.parametrize(
    ("name", "vi", "en"),
    [
        ("priorities:index", "/vi/uu-tien/", "/en/priorities/"),
        ("meetings:list", "/vi/hoi-nghi/", "/en/meetings/"),
        ("news:list", "/vi/tin-tuc/", "/en/news/"),
        ("civil_service:work_plan", "/vi/ke-hoach-lam-viec/", "/en/work-plan/"),
        ("search", "/vi/tim-kiem/", "/en/search/"),
    ],
)
def test_path_segments_are_translated(name, vi, en):
    assert url(name, "vi") == vi
    assert url(name, "en") == en


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", PAGES)
def test_every_public_page_renders_in_both_languages(client, name, language):
    page_url = url(name, language)
    response = client.get(page_url)
    assert response.status_code == 200, page_url
    html = response.content.decode()
    assert f'<html lang="{language}"' in html
    other = next(code for code in LANGUAGES if code != language)
    # The switcher leads to the same page in the other language.
    assert switcher_links(html) == {language: page_url, other: url(name, other)}
    assert f'hreflang="{other}" href="http://testserver{url(name, other)}"' in html


def test_portal_name_and_navigation_follow_the_language(client):
    vi = client.get("/vi/").content.decode()
    en = client.get("/en/").content.decode()
    assert "Cổng thông tin Hợp tác ASEAN" in vi
    assert "ASEAN Cooperation Portal" in en
    for label in ("Trang chủ", "Ưu tiên", "Hội nghị", "Kế hoạch làm việc", "Tin tức", "Tìm kiếm"):
        assert f">{label}</a>" in vi
    for label in ("Home", "Priorities", "Meetings", "Work plan", "News", "Search"):
        assert f">{label}</a>" in en


def test_switcher_keeps_the_query_string(client):
    html = client.get("/vi/tim-kiem/?q=c%C3%B4ng+v%E1%BB%A5").content.decode()
    assert switcher_links(html)["en"] == "/en/search/?q=c%C3%B4ng+v%E1%BB%A5"


@pytest.mark.parametrize(
    ("path", "other", "home"),
    [("/vi/khong-co-trang-nay/", "en", "/en/"), ("/en/nowhere/", "vi", "/vi/")],
)
def test_switcher_on_an_unknown_page_leads_to_the_other_language_s_home(client, path, other, home):
    """Not to the same missing address under the other prefix: another 404."""
    html = client.get(path).content.decode()
    assert switcher_links(html)[other] == home


def test_search_box_is_in_every_header(client):
    html = client.get("/en/news/").content.decode()
    assert 'role="search" aria-label="Search the portal" action="/en/search/"' in html
    assert '<label for="header-q"' in html


def test_skip_link_targets_the_main_landmark(client):
    html = client.get("/vi/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html


@pytest.mark.parametrize(
    ("language", "text"), [("vi", "03 tháng 8 năm 2022"), ("en", "3 August 2022")]
)
def test_dates_follow_the_locale(client, language, text):
    from datetime import date

    from tests import factories

    meeting = factories.meeting(start_date=date(2022, 8, 3))
    with translation.override(language):
        html = client.get(meeting.get_absolute_url()).content.decode()
    assert text in html
