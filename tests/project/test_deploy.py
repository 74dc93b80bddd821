"""Production settings pass Django's deployment checklist, and HTTPS works
behind a proxy that terminates TLS."""

import subprocess
import sys

import pytest

from tests.conftest import BASE_DIR, subprocess_env

PRODUCTION = {
    "DEBUG": "0",
    "HTTPS": "1",
    "BEHIND_PROXY": "1",
    "SECRET_KEY": "k3Jx9-production-like-secret-key-with-enough-entropy-Qw8ZpL2vN7mR4tY",
    "ALLOWED_HOSTS": "asean.example.gov.vn",
    "CSRF_TRUSTED_ORIGINS": "https://asean.example.gov.vn",
}


def check_deploy(**extra):
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=BASE_DIR,
        env=subprocess_env(**{**PRODUCTION, **extra}),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_gives_no_warnings_with_production_settings():
    result = check_deploy()
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout + result.stderr


def test_check_deploy_warns_when_https_is_off():
    result = check_deploy(HTTPS="0")
    output = result.stdout + result.stderr
    assert "security.W008" in output  # SECURE_SSL_REDIRECT
    assert "security.W012" in output  # SESSION_COOKIE_SECURE


@pytest.mark.parametrize(
    "extra, warned",
    [
        ({"ALLOWED_HOSTS": "*"}, True),
        ({"ALLOWED_HOSTS": ".example.gov.vn"}, True),
        ({"ALLOWED_HOSTS": "*", "PAGE_CACHE_SECONDS": "0"}, False),
        (
            {
                "ALLOWED_HOSTS": "*",
                "PROXY_PURGE_URL": "http://127.0.0.1:8080",
                "PROXY_PURGE_HOSTS": "asean.example.gov.vn",
            },
            False,
        ),
    ],
)
def test_check_warns_when_only_wildcards_leave_the_page_cache_nothing_to_keep(extra, warned):
    """The page cache keeps pages only at a named host: with wildcards alone it
    would be off without a word."""
    extra.setdefault("CSRF_TRUSTED_ORIGINS", "https://asean.example.gov.vn")
    result = check_deploy(**extra)
    assert ("asean_portal.W001" in result.stdout + result.stderr) is warned


@pytest.fixture
def https(settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    settings.SECURE_HSTS_PRELOAD = True
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True


def test_plain_http_is_redirected_to_https_but_health_checks_are_not(client, https):
    response = client.get("/vi/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/vi/"
    assert client.get("/healthz").status_code == 200


def test_behind_the_proxy_pages_carry_hsts_and_secure_cookies(client, https):
    response = client.get("/vi/", HTTP_X_FORWARDED_PROTO="https")
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response.cookies["portal_language"]["secure"]
    assert response.cookies["portal_language"]["samesite"] == "Lax"


def test_the_staff_session_cookie_is_secure_and_http_only(client, https, django_user_model):
    django_user_model.objects.create_user(
        "officer", password="a-long-test-password-9", is_staff=True
    )
    response = client.post(
        "/vi/admin/login/",
        {"username": "officer", "password": "a-long-test-password-9"},
        HTTP_X_FORWARDED_PROTO="https",
    )
    assert response.status_code == 302
    cookie = response.cookies["sessionid"]
    assert cookie["secure"] and cookie["httponly"]
    assert cookie["samesite"] == "Lax"
