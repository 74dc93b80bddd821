import pytest
from django.test import Client

BOTH = {
    400: ("Yêu cầu không hợp lệ", "Bad request"),
    403: ("Không có quyền truy cập", "Access denied"),
    404: ("Không tìm thấy trang", "Page not found"),
    500: ("Lỗi máy chủ", "Server error"),
}


def assert_error_page(response, status, language):
    assert response.status_code == status
    html = response.content.decode()
    vi, en = BOTH[status]
    first, second, other = (vi, en, "en") if language == "vi" else (en, vi, "vi")
    assert f'<html lang="{language}"' in html
    assert f"<h1>{first}</h1>" in html
    # The same message follows in the other language, marked as such.
    assert f'lang="{other}">\n    <h2>{second}</h2>' in html
    assert "no-cache" in response["Cache-Control"]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_404_page_in_each_language(client, language):
    response = client.get(f"/{language}/no-such-page/")
    assert_error_page(response, 404, language)


@pytest.mark.parametrize(("accept", "language"), [("en", "en"), ("vi", "vi"), ("de", "vi")])
def test_unknown_language_prefix_is_a_bilingual_404(client, accept, language):
    response = client.get("/fr/tin-tuc/", HTTP_ACCEPT_LANGUAGE=accept)
    assert_error_page(response, 404, language)


@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize("language", ["vi", "en"])
def test_500_page_in_each_language(language):
    client = Client(raise_request_exception=False)
    response = client.get("/broken/", HTTP_ACCEPT_LANGUAGE=language)
    assert_error_page(response, 500, language)


@pytest.mark.urls("tests.error_urls")
@pytest.mark.parametrize("language", ["vi", "en"])
def test_403_page_in_each_language(client, language):
    response = client.get("/forbidden/", HTTP_ACCEPT_LANGUAGE=language)
    assert_error_page(response, 403, language)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_csrf_failure_is_the_403_page(language):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/{language}/admin/login/", {"username": "x", "password": "y"})
    assert_error_page(response, 403, language)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_forged_host_header_gets_the_400_page(client, language):
    response = client.get(f"/{language}/", HTTP_HOST="attacker.example")
    assert_error_page(response, 400, language)


def test_500_falls_back_to_plain_bilingual_html_when_templates_fail(rf, monkeypatch):
    from asean_portal.site import views

    def broken_render(*args, **kwargs):
        raise RuntimeError("template engine down")

    monkeypatch.setattr(views, "render", broken_render)
    response = views.server_error(rf.get("/vi/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "Lỗi máy chủ" in html and "Server error" in html
