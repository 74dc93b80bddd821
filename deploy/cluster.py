"""`make cluster` / `make cluster-down`: the scaled-out portal on loopback.

nginx on :8080 (deploy/nginx/portal.conf.template) in front of two gunicorn
nodes on :8001 and :8002 with production-like settings, two Celery workers
and a publisher (the publishing sweep's worker), two beats (one sends, the
other waits for the lock), and moto's S3 server for the uploads, on this
machine's PostgreSQL and Redis (the database asean_portal_cluster and Redis
db CLUSTER_REDIS_DB, 13 by default). Each process runs in the background with
its log and pid file in var/cluster/.
"""

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from asean_portal.ops import proxy  # noqa: E402

FOLDER = BASE_DIR / "var" / "cluster"
PROXY_FOLDER = FOLDER / "nginx"
PROXY_ERROR_LOG = PROXY_FOLDER / "error.log"
BIN = Path(sys.executable).parent
PROXY_PORT = int(os.environ.get("CLUSTER_PROXY_PORT", "8080"))
NODE_PORTS = (8001, 8002)
S3_PORT = int(os.environ.get("CLUSTER_S3_PORT", "8009"))
DATABASE = os.environ.get("CLUSTER_DATABASE", "asean_portal_cluster")
REDIS_DB = os.environ.get("CLUSTER_REDIS_DB", "13")
BUCKET = "asean-portal"


def environment():
    secret = os.environ.get("SECRET_KEY") or next(
        line.split("=", 1)[1]
        for line in (BASE_DIR / ".env").read_text().splitlines()
        if line.startswith("SECRET_KEY=")
    )
    origins = [f"http://{host}:{PROXY_PORT}" for host in ("127.0.0.1", "localhost")]
    return {
        **os.environ,
        "PORTAL_ENV_FILE": os.devnull,
        "SECRET_KEY": secret,
        "DEBUG": "0",
        "DJANGO_SETTINGS_MODULE": "asean_portal.settings",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "CSRF_TRUSTED_ORIGINS": ",".join(origins),
        "BEHIND_PROXY": "1",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        "REDIS_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
        "STATIC_ROOT": str(FOLDER / "static"),
        "MEDIA_STORAGE": "s3",
        "S3_ENDPOINT_URL": f"http://127.0.0.1:{S3_PORT}",
        "S3_BUCKET": BUCKET,
        "S3_ACCESS_KEY_ID": "cluster",
        "S3_SECRET_ACCESS_KEY": "cluster-secret",
        "PROXY_PURGE_URL": f"http://127.0.0.1:{PROXY_PORT}",
        # As readers' browsers send them: the proxy keeps a copy per host as sent.
        "PROXY_PURGE_HOSTS": f"127.0.0.1:{PROXY_PORT},localhost:{PROXY_PORT}",
    }


def background(name, command, env):
    log = open(FOLDER / f"{name}.log", "ab")  # the child process keeps it open
    process = subprocess.Popen(
        command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    (FOLDER / f"{name}.pid").write_text(str(process.pid))
    return process


def wait_until_up(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2):
                return
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds} s: see {FOLDER}")


def manage(env, *args):
    subprocess.run([sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


def up():
    if any(FOLDER.glob("*.pid")):
        raise SystemExit("The cluster is already running: make cluster-down first.")
    FOLDER.mkdir(parents=True, exist_ok=True)
    env = environment()
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", DATABASE], capture_output=True)
    background(
        "s3", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(S3_PORT)], env
    )
    wait_until_up(f"http://127.0.0.1:{S3_PORT}/moto-api/")
    import boto3

    boto3.client(
        "s3",
        endpoint_url=env["S3_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id="cluster",
        aws_secret_access_key="cluster-secret",
    ).create_bucket(Bucket=BUCKET)
    manage(env, "migrate", "--noinput", "-v0")
    manage(env, "collectstatic", "--noinput", "-v0")
    manage(env, "load_seed_content")
    for n, port in enumerate(NODE_PORTS, 1):
        background(
            f"web{n}",
            [
                str(BIN / "gunicorn"),
                "asean_portal.wsgi",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
                "--logger-class",
                "asean_portal.ops.logs.AccessLogger",
                "--access-logfile",
                "-",
            ],
            env,
        )
    celery = [sys.executable, "-m", "celery", "-A", "asean_portal"]
    for n in (1, 2):
        worker = [*celery, "worker", "-n", f"worker{n}@%h", "-c", "2", "--loglevel=INFO"]
        background(f"worker{n}", worker, env)
        beat = [*celery, "beat", "--loglevel=INFO", "-s", str(FOLDER / f"beat{n}-schedule")]
        background(f"beat{n}", beat, env)
    # The publishing sweep's own worker (README, Scheduled publishing).
    publisher = [*celery, "worker", "-Q", "publishing", "-n", "publisher@%h", "-c", "1"]
    background("publisher", [*publisher, "--loglevel=INFO"], env)
    for port in NODE_PORTS:
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
    config = proxy.write(
        PROXY_FOLDER,
        error_log=str(PROXY_ERROR_LOG),
        listen=f"127.0.0.1:{PROXY_PORT}",
        upstreams=[f"127.0.0.1:{port}" for port in NODE_PORTS],
        static_root=env["STATIC_ROOT"],
    )
    nginx = proxy.start(config)
    (FOLDER / "nginx.pid").write_text(str(nginx.pid))
    wait_until_up(f"http://127.0.0.1:{PROXY_PORT}/healthz")
    print(
        f"""
  Portal through the proxy: http://127.0.0.1:{PROXY_PORT}/vi/  (English: /en/)
  Admin:                    http://127.0.0.1:{PROXY_PORT}/vi/admin/
  Web nodes:                http://127.0.0.1:{NODE_PORTS[0]}/  http://127.0.0.1:{NODE_PORTS[1]}/
  S3 (moto):                http://127.0.0.1:{S3_PORT}/  bucket {BUCKET}
  PostgreSQL {DATABASE}, Redis db {REDIS_DB}; logs and pids in {FOLDER}
  Stop everything: make cluster-down
"""
    )


def down():
    for pid_file in sorted(FOLDER.glob("*.pid")):
        pid = int(pid_file.read_text())
        with contextlib.suppress(ProcessLookupError):
            if pid_file.stem == "nginx":
                os.kill(pid, signal.SIGQUIT)
            else:
                os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        pid_file.unlink()
    print("The cluster is stopped.")


if __name__ == "__main__":
    {"up": up, "down": down}[sys.argv[1]]()
