"""The one settings module in both modes, each checked in a fresh process."""

import json

import pytest

from tests.conftest import run_python, subprocess_env

REPORT = """
import json, django
django.setup()
from django.conf import settings
from django.core.cache import caches
from django.db import connection
from asean_portal.celery import app
db = settings.DATABASES["default"]
report = {
    "engine": db["ENGINE"], "name": str(db["NAME"]),
    "health_checks": db.get("CONN_HEALTH_CHECKS"), "cache": settings.CACHES["default"]["BACKEND"],
    "broker": app.conf.broker_url, "time_zone": settings.TIME_ZONE, "use_tz": settings.USE_TZ,
    "language": settings.LANGUAGE_CODE, "debug": settings.DEBUG,
}
if %(touch)s:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        report["select"] = cursor.fetchone()[0]
    caches["default"].set("settings-test", "round trip", 30)
    report["cached"] = caches["default"].get("settings-test")
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        report["broker_connected"] = conn.connected
print(json.dumps(report))
"""


def report(env, touch):
    result = run_python(REPORT % {"touch": touch}, env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_python("import django; django.setup()", subprocess_env(SECRET_KEY="", DEBUG="0"))
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "refuses to start" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = report(subprocess_env(SECRET_KEY="", DEBUG="1"), touch=False)
    assert result["debug"] is True


def test_embedded_default_needs_no_server(tmp_path):
    env = subprocess_env(CELERY_BROKER_DIR=str(tmp_path / "celery"))
    result = report(env, touch=False)
    assert result["engine"] == "django.db.backends.sqlite3"
    assert result["name"].endswith("/db.sqlite3")
    assert result["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert result["broker"] == "portal-files://localhost/"
    assert (result["time_zone"], result["use_tz"], result["language"]) == (
        "Asia/Ho_Chi_Minh",
        True,
        "vi",
    )
    assert result["debug"] is False


def test_embedded_default_works_end_to_end(tmp_path):
    env = subprocess_env(
        DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        CELERY_BROKER_DIR=str(tmp_path / "celery"),
    )
    result = report(env, touch=True)
    assert result["select"] == 1
    assert result["cached"] == "round trip"
    assert result["broker_connected"] is True
    assert (tmp_path / "celery" / "queue").is_dir()


@pytest.mark.postgres
@pytest.mark.redis
def test_production_mode_uses_postgresql_and_redis(postgres_url, redis_url):
    result = report(subprocess_env(DATABASE_URL=postgres_url, REDIS_URL=redis_url), touch=True)
    assert result["engine"] == "django.db.backends.postgresql"
    assert result["health_checks"] is True
    assert result["cache"] == "django_redis.cache.RedisCache"
    assert result["broker"] == redis_url
    assert result["select"] == 1
    assert result["cached"] == "round trip"
    assert result["broker_connected"] is True


def test_the_suite_never_touches_a_real_database():
    from django.db import connection

    name = str(connection.settings_dict["NAME"])
    assert name.startswith("test_") or "memory" in name, name
