"""Structured logs: a request id on every response and log record, the staff
member behind an action, no secret in any line, and one short line a minute
for a dependency that is down."""

import io
import json
import logging
from datetime import timedelta

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from asean_portal.ops.logs import RequestContextFilter, redact
from tests import factories
from tests.conftest import free_port, redis_cache, run_python, subprocess_env


@pytest.fixture
def json_log():
    """The records of django.request and the portal, formatted as in production."""
    spec = settings.LOGGING["formatters"]["json"]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter(fmt=spec["fmt"], rename_fields=spec["rename_fields"]))
    handler.addFilter(RequestContextFilter())
    loggers = [logging.getLogger(name) for name in ("django.request", "asean_portal")]
    for logger in loggers:
        logger.addHandler(handler)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    for logger in loggers:
        logger.removeHandler(handler)


def test_every_response_has_a_request_id(client):
    first, second = client.get("/vi/"), client.get("/vi/")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]
    assert client.get("/vi/", HTTP_X_REQUEST_ID="proxy-id-1234")["X-Request-ID"] == "proxy-id-1234"
    forged = client.get("/vi/", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert forged != "<script>" and len(forged) == 32


def test_log_records_carry_the_request_id_and_never_the_embargo_token(client, json_log):
    token = "eyJsaW5rIjo0Mn0:1vAbCd:SeCrEtSiGnAtUrE"
    response = client.get(f"/en/news/embargoed/{token}/", HTTP_X_REQUEST_ID="req-abcdef12")
    assert response.status_code == 404
    lines = json_log()
    assert lines, "nothing was logged"
    record = lines[-1]
    assert record["request_id"] == "req-abcdef12"
    assert record["level"] == "WARNING" and record["logger"] == "django.request"
    assert token not in json.dumps(lines)
    assert "[redacted]" in record["message"]


def test_the_staff_member_is_named_in_records_of_their_requests(client, json_log):
    user = factories.staff(role="Editor")
    client.force_login(user)
    assert client.get("/vi/admin/events/no-such-model/").status_code == 404
    records = [line for line in json_log() if line["user"] != "-"]
    assert records and records[-1]["user"] == user.username


@pytest.mark.parametrize(
    "line",
    [
        "login failed: password=hunter2",
        "sessionid=abcd1234efgh; csrftoken=zzz",
        "Authorization token: 0123456789abcdef",
    ],
)
def test_secrets_are_redacted(line):
    cleaned = redact(line)
    for secret in ("hunter2", "abcd1234efgh", "0123456789abcdef"):
        assert secret not in cleaned


def test_the_json_log_format_loads_in_a_fresh_process():
    result = run_python(
        "import django, logging; django.setup(); logging.getLogger('asean_portal').warning('hi')",
        subprocess_env(LOG_FORMAT="json", DEBUG="1"),
    )
    assert result.returncode == 0, result.stderr
    line = next(line for line in result.stderr.splitlines() if '"hi"' in line)
    assert json.loads(line)["message"] == "hi"


def test_a_cache_outage_is_one_short_line_per_interval_and_every_page_is_served(
    client, settings, caplog
):
    item = factories.announcement(**factories.live(title_vi="Tin khi bộ đệm ngừng"))
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")  # nothing listens
    settings.PAGE_CACHE_SECONDS = 300
    caplog.set_level(logging.INFO)
    paths = ["/vi/", "/en/", item.get_absolute_url(), "/vi/tin-tuc/", "/vi/tim-kiem/?q=tin"]
    for number in range(50):
        path = paths[number % len(paths)]
        assert client.get(path).status_code == 200, path
    [line] = [record for record in caplog.records if record.name == "django_redis.cache"]
    assert line.levelname == "WARNING"
    assert line.getMessage().startswith("cache unavailable: ConnectionError('Error 111 ")
    assert line.exc_info is None
    # Instead of a traceback of some 22 KB for every request.
    assert len(caplog.text) < 1000, caplog.text[:3000]


def test_the_next_line_comes_after_the_interval_and_counts_what_it_left_out(
    client, settings, caplog, monkeypatch
):
    clock = [1000.0]
    monkeypatch.setattr("asean_portal.ops.logs.time.monotonic", lambda: clock[0])
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{free_port()}/0")
    settings.PAGE_CACHE_SECONDS = 300
    caplog.set_level(logging.INFO)

    def lines():
        return [r.getMessage() for r in caplog.records if r.name == "django_redis.cache"]

    client.get("/vi/")
    client.get("/vi/")
    assert len(lines()) == 1
    clock[0] += settings.LOG_OUTAGE_SECONDS - 1
    client.get("/vi/")
    assert len(lines()) == 1
    clock[0] += 1
    client.get("/vi/")
    assert len(lines()) == 2
    assert lines()[1].endswith(" more since the last line)")


def test_the_access_log_never_shows_an_embargo_token():
    """gunicorn's access log, with the logger class that gunicorn.conf.py names."""
    from types import SimpleNamespace

    from gunicorn.config import Config

    from asean_portal.ops.logs import AccessLogger

    token = "eyJsaW5rIjo0Mn0:1tXyZ:abcdefSIGNATURE"
    path = f"/vi/tin-tuc/cam-cong-bo/{token}/"
    logger = AccessLogger(Config())
    request = SimpleNamespace(
        method="GET", path=path, query="", uri=path, version=(1, 1), headers=[]
    )
    response = SimpleNamespace(status="200 OK", sent=10, headers=[], response_length=10)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    atoms = logger.atoms(response, request, environ, timedelta(seconds=0.01))
    line = " ".join(str(value) for value in atoms.values())
    assert token not in line
    assert "/cam-cong-bo/[redacted]" in atoms["r"]


def test_the_gunicorn_configuration_names_the_redacting_access_logger():
    import runpy

    from tests.conftest import BASE_DIR

    settings = runpy.run_path(str(BASE_DIR / "gunicorn.conf.py"))
    assert settings["logger_class"] == "asean_portal.ops.logs.AccessLogger"
    assert settings["worker_class"] == "gthread"
