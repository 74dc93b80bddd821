"""Shared fixtures.

Tests that need a real service (PostgreSQL, Redis, Chromium, a Celery worker)
skip when it is missing on a developer's machine. With
PORTAL_REQUIRE_SERVICES=1, as .ci/run sets it, such a skip is a failure.
"""

import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from bench.common import free_port

BASE_DIR = Path(__file__).resolve().parent.parent
REQUIRE_SERVICES = os.environ.get("PORTAL_REQUIRE_SERVICES") == "1"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"
DEFAULT_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/asean_portal"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"


def unavailable(reason):
    """Skip on a developer machine; fail in CI."""
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (PORTAL_REQUIRE_SERVICES=1 turns this skip into a failure)")
    pytest.skip(reason)


def wait_for(predicate, timeout=15.0, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def subprocess_env(**overrides):
    """The environment for a child portal process: no inherited service URLs
    or local .env unless given, so that each test states the mode it checks."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        {
            "PORTAL_ENV_FILE": os.devnull,
            "SECRET_KEY": "a-secret-key-for-a-child-process-in-tests",
            "PYTHONPATH": str(BASE_DIR),
            "DJANGO_SETTINGS_MODULE": "asean_portal.settings",
        }
    )
    env.update({key: value for key, value in overrides.items() if value is not None})
    for key, value in overrides.items():
        if value is None:
            env.pop(key, None)
    return env


def run_python(code, env, timeout=60):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class WorkerOutput(list):
    """Receives a worker's output once it has stopped; ``process`` is the worker."""

    process = None


@contextlib.contextmanager
def worker_process(env, *extra, pool="solo"):
    """A Celery worker process started as `make run` starts it (``-B`` adds
    beat; ``pool="prefork"`` runs two child processes, as in production).
    Yields the list that receives its output once it has stopped.

    The output goes to a file rather than a pipe: a worker that logs a lot
    (a traceback a second while a service is down) would otherwise block
    once the pipe is full and stop working in the middle of the test."""
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "asean_portal",
            "worker",
            f"--pool={pool}",
            *(["--concurrency=2"] if pool == "prefork" else []),
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            *extra,
        ],
        cwd=BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    output = WorkerOutput()
    output.process = process
    try:
        yield output
    finally:
        process.terminate()
        process.wait(timeout=30)
        with log:
            log.seek(0)
            output.append(log.read())


@pytest.fixture
def redis_url():
    """The URL of a running Redis server."""
    import redis

    url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    try:
        redis.Redis.from_url(url, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        unavailable(f"Redis is not reachable at {url}: {exc}")
    return url


@pytest.fixture
def postgres_url():
    """The URL of a running PostgreSQL server with the portal's database."""
    import psycopg2

    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = DEFAULT_POSTGRES_URL
    parts = urlsplit(url)
    try:
        psycopg2.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            dbname=parts.path.lstrip("/"),
            connect_timeout=3,
        ).close()
    except psycopg2.Error as exc:
        unavailable(f"PostgreSQL is not reachable at {url}: {exc}")
    return url


@pytest.fixture
def test_database_url():
    """The test database's URL, for a worker process to share it: only on
    PostgreSQL (an in-memory SQLite test database cannot be shared)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a worker process shares the test database only on PostgreSQL")
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


def record_heartbeats():
    """A worker and beat that have just done their part, as /readyz expects
    of a running installation."""
    from asean_portal.ops.heartbeats import BEAT, WORKER, record

    record(WORKER)
    record(BEAT)


@pytest.fixture
def fresh_heartbeats():
    record_heartbeats()


def redis_cache(url):
    """Django's cache on the Redis at ``url``, as production configures it."""
    return {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": 1,
                "SOCKET_TIMEOUT": 1,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    }


@contextlib.contextmanager
def redis_server(binary, port=None):
    """A Redis server of the test's own; yields (url, stop, start)."""
    import redis

    port = port or free_port()
    url = f"redis://127.0.0.1:{port}/0"
    process = None

    def start():
        nonlocal process
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
            stdout=subprocess.DEVNULL,
        )

        def pings():
            try:
                return redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
            except redis.RedisError:
                return False

        assert wait_for(pings, timeout=10), "redis-server did not start"

    def stop():
        process.terminate()
        process.wait(timeout=10)

    start()
    try:
        yield url, stop, start
    finally:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def collected_static(tmp_path_factory):
    """The hashed, compressed static files that production serves."""
    root = tmp_path_factory.mktemp("collected-static")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=subprocess_env(STATIC_ROOT=str(root)),
        check=True,
        capture_output=True,
    )
    return root


@pytest.fixture(scope="session")
def s3_server():
    """A real S3 API server on loopback (moto's standalone server) for the
    session; yields its endpoint URL."""
    port = free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
    )

    def listening():
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        return False

    if not wait_for(listening, timeout=30):
        process.kill()
        unavailable("moto's S3 server did not start (pip install 'moto[server]')")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()


@pytest.fixture
def redis_server_binary():
    path = shutil.which("redis-server")
    if not path:
        unavailable("redis-server is not installed")
    return path


@pytest.fixture(autouse=True)
def _fast_predictable_settings(settings, tmp_path):
    """Uploads go to a temporary folder, static files come from the source tree,
    passwords hash fast, the cache lives
    in memory and Celery tasks run eagerly unless a test asks for a worker.
    Each test starts in the default language, whatever the one before it
    served last."""
    from django.contrib.contenttypes.models import ContentType
    from django.core.cache import cache
    from django.utils import translation

    from asean_portal.celery import app
    from asean_portal.site import nearcache

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATIC_ROOT.mkdir()
    # Hashed names need collectstatic; test_static.py checks that storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": settings.EMBEDDED_CACHE}
    # The cache outlives a test's rolled-back data: nothing kept from an earlier test.
    cache.clear()
    # Whole pages are cached only where a test turns it on (test_pagecache.py).
    settings.PAGE_CACHE_SECONDS = 0
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = True
    # A transactional test's flush gives content types new ids.
    ContentType.objects.clear_cache()
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()
    app.conf.task_always_eager = eager
    # A process's copies of pages (site/nearcache.py) show this test's data.
    if nearcache._listener is not None:
        nearcache._listener.stopped = True
        nearcache._listener = None


@pytest.fixture(autouse=True)
def _fresh_outage_logs(settings, monkeypatch):
    """A dependency's first failure in a test is logged, whatever the tests
    before it logged within the interval."""
    from asean_portal.ops.logs import OncePerInterval

    logger = logging.getLogger(settings.DJANGO_REDIS_LOGGER)
    fresh = [
        OncePerInterval(f.dependency, f.seconds) if isinstance(f, OncePerInterval) else f
        for f in logger.filters
    ]
    monkeypatch.setattr(logger, "filters", fresh)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """Public pages read the database: every test gets the test database
    unless it chose its own kind with the django_db mark."""
    for item in items:
        if item.get_closest_marker("django_db") is None:
            item.add_marker(pytest.mark.django_db)


def pytest_configure(config):
    _send_template_rendered_for_jinja2()


def _send_template_rendered_for_jinja2():
    """Django's Jinja2 backend sends no template_rendered signal, from which the
    test client fills response.context and response.templates: each Jinja2
    template (a page, and each template it includes) sends it with its context,
    as Django templates do under tests."""
    import jinja2
    from django.template import Context
    from django.test.signals import template_rendered

    new_context = jinja2.Template.new_context
    if getattr(new_context, "sends_template_rendered", False):
        return

    def instrumented(self, vars=None, shared=False, locals=None):
        context = new_context(self, vars, shared, locals)
        template_rendered.send(sender=self, template=self, context=Context(context.get_all()))
        return context

    instrumented.sends_template_rendered = True
    jinja2.Template.new_context = instrumented
