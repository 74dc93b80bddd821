"""Structured logs: a request id on every response and log record, the staff
member behind an action, and no secret in any line."""

import io
import json
import logging

import pytest
from django.conf import settings
from pythonjsonlogger.json import JsonFormatter

from asean_portal.ops.logs import RequestContextFilter, redact
from tests import factories
from tests.conftest import run_python, subprocess_env


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
