"""The container image and compose file, checked without a container runtime
(CI has none): the Dockerfile's linter and rules, the compose file against the
Compose Specification, and a lock file that matches requirements.txt."""

import http.client
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from asean_portal.ops import proxy
from asean_portal.site.views import proxy_error_page
from tests.conftest import BASE_DIR, free_port, unavailable, wait_for

DOCKERFILE = BASE_DIR / "Dockerfile"
HADOLINT = Path(sys.executable).parent / "hadolint"

sys.path.insert(0, str(BASE_DIR / "deploy"))
import check_compose  # noqa: E402


def stages(text):
    return re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]


def test_the_dockerfile_passes_hadolint():
    hadolint = shutil.which("hadolint") or str(HADOLINT)
    result = subprocess.run([hadolint, str(DOCKERFILE)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_finds_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python\nRUN apt-get install gcc\nRUN cd /app && make\n")
    hadolint = shutil.which("hadolint") or str(HADOLINT)
    assert subprocess.run([hadolint, str(bad)], capture_output=True).returncode != 0


def test_the_image_is_built_in_two_stages_and_runs_unprivileged():
    build, final = stages(DOCKERFILE.read_text())
    assert build.startswith("python:3.11-slim AS build")
    assert final.startswith("python:3.11-slim\n")
    assert "--require-hashes" in build and "requirements.lock" in build
    assert "compilemessages" in build and "collectstatic" in build
    # No compiler, no build tools, no package installs in the final stage.
    assert "apt-get" not in final and "pip install" not in final
    user = re.search(r"^USER (\S+)", final, flags=re.MULTILINE).group(1)
    assert user.split(":")[0] not in {"root", "0"}
    assert "HEALTHCHECK" in final and "deploy/healthcheck.py" in final
    assert "/healthz" in (BASE_DIR / "deploy" / "healthcheck.py").read_text()


def test_the_lock_file_pins_every_requirement_with_a_hash():
    lock = (BASE_DIR / "requirements.lock").read_text()
    locked = dict(re.findall(r"^([A-Za-z0-9_.\-]+)==(\S+) \\\n\s+--hash=sha256:", lock, re.M))
    normal = {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in locked.items()}
    for line in (BASE_DIR / "requirements.txt").read_text().splitlines():
        if line and not line.startswith("#"):
            name, version = re.sub(r"\[.*\]", "", line).split("==")
            key = re.sub(r"[-_.]+", "-", name).lower()
            assert normal.get(key) == version, f"{line} is not in requirements.lock: make lock"


def test_the_compose_file_follows_the_specification():
    assert check_compose.errors(BASE_DIR / "compose.yaml") == []


@pytest.mark.parametrize(
    "damage",
    [
        lambda c: c["services"]["web"].update(ports="8000"),
        lambda c: c["services"]["redis"].update(healthcheck={"test": "x", "intervall": "1s"}),
        lambda c: c.update(volume={"data": None}),
    ],
    ids=["ports not a list", "misspelt key", "unknown top-level key"],
)
def test_the_schema_check_finds_a_broken_compose_file(tmp_path, damage):
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    damage(compose)
    broken = tmp_path / "compose.yaml"
    broken.write_text(yaml.safe_dump(compose))
    assert check_compose.errors(broken)


def test_the_compose_file_has_every_service_with_health_checks_and_named_volumes():
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    services = compose["services"]
    assert {"proxy", "web", "worker", "publisher", "beat", "db", "redis", "minio"} <= set(services)
    # The publisher takes the publishing sweep's queue alone.
    command = services["publisher"]["command"]
    assert command[command.index("-Q") + 1] == settings.PUBLISHING_QUEUE
    # The web service can be scaled: no fixed host port, no container name.
    assert "ports" not in services["web"] and "container_name" not in services["web"]
    assert services["beat"]["deploy"]["replicas"] == 1
    for name in ("proxy", "worker", "publisher", "beat", "db", "redis", "minio"):
        assert services[name]["healthcheck"]["test"], name
    assert {"postgres-data", "redis-data", "minio-data"} <= set(compose["volumes"])
    assert services["web"]["environment"]["MEDIA_STORAGE"] == "s3"


# --- compose.yaml's proxy is purged ---------------------------------------------


def test_the_compose_proxy_is_the_templates_rendering_and_the_nodes_know_it():
    assert (BASE_DIR / "deploy" / "nginx" / "compose.conf").read_text() == proxy.compose_config()
    assert check_compose.purge_errors(BASE_DIR / "compose.yaml") == []
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    for service in ("web", "worker"):
        assert compose["services"][service]["environment"]["PROXY_PURGE_URL"] == "http://proxy"


def test_the_proxys_error_page_is_the_translations_rendering_and_compose_mounts_it():
    """deploy/nginx/unavailable.html is written by `manage.py proxy_error_page`
    from the catalogues: run it again after a change to them."""
    assert proxy.ERROR_PAGE.read_text() == proxy_error_page()
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    mount = f"./{proxy.ERROR_PAGE.relative_to(BASE_DIR)}:{proxy.COMPOSE_ERROR_PAGE}:ro"
    assert mount in compose["services"]["proxy"]["volumes"]
    assert f"alias {proxy.COMPOSE_ERROR_PAGE};" in proxy.compose_config()


def geo(config):
    """The addresses the proxy accepts a refresh from, and refuses it from."""
    block = re.search(r"geo \$proxy_host_itself \{(.*?)\}", config, re.S).group(1)
    entries = dict(line.strip().rstrip(";").split() for line in block.strip().splitlines())
    return entries


def test_the_compose_proxy_refreshes_only_for_the_compose_network():
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    network = compose["networks"]["default"]["ipam"]["config"][0]
    entries = geo(proxy.compose_config())
    # Nobody but the network; not its gateway, where the host's clients of the
    # published port come from.
    assert entries == {"default": "0", network["gateway"]: "0", network["subnet"]: "1"}
    assert "location /static/" not in proxy.compose_config()  # the nodes serve them


@pytest.mark.parametrize(
    "damage",
    [
        lambda c: c["services"]["worker"].update(environment={"REDIS_URL": "redis://redis"}),
        lambda c: c["networks"]["default"]["ipam"]["config"][0].update(subnet="10.0.0.0/8"),
        lambda c: c.pop("networks"),
    ],
    ids=["a worker without the purge", "another network", "a network of any range"],
)
def test_the_lint_finds_a_compose_proxy_that_would_not_be_purged(tmp_path, damage):
    compose = yaml.safe_load((BASE_DIR / "compose.yaml").read_text())
    damage(compose)
    broken = tmp_path / "compose.yaml"
    broken.write_text(yaml.safe_dump(compose))
    assert check_compose.purge_errors(broken)


def test_the_compose_proxys_refresh_rule_in_a_running_nginx(tmp_path):
    """The compose configuration in Debian's nginx, on loopback: 127.0.0.0/8
    stands for the compose network and 127.0.0.2 for its gateway."""
    if not shutil.which(proxy.NGINX):
        unavailable("nginx is not installed (apt-get install nginx)")
    port, closed = free_port(), free_port()
    config = (
        proxy.compose_config()
        .replace("listen 80;", f"listen 127.0.0.1:{port};")
        .replace("server web:8000", f"server 127.0.0.1:{closed}")
        .replace("/var/cache/nginx", str(tmp_path))
        .replace(proxy.COMPOSE_GATEWAY, "127.0.0.2")
        .replace(proxy.COMPOSE_SUBNET, "127.0.0.0/8")
        .replace(proxy.COMPOSE_ERROR_PAGE, str(proxy.ERROR_PAGE))
    )
    if os.geteuid() == 0:
        config = config.replace("worker_processes", "user root;\nworker_processes", 1)
    path = tmp_path / "nginx.conf"
    path.write_text(config)
    nginx = proxy.start(path)
    try:

        def status(source, **headers):
            connection = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=10, source_address=(source, 0)
            )
            try:
                connection.request("GET", "/vi/", headers={"Host": "localhost", **headers})
                return connection.getresponse().status
            except OSError:
                return None
            finally:
                connection.close()

        assert wait_for(lambda: status("127.0.0.1") is not None, timeout=10)
        refresh = {"X-Portal-Refresh": "1"}
        # The network's refresh reaches the (absent) node: 502; the gateway's is refused.
        assert status("127.0.0.1", **refresh) == 502
        assert status("127.0.0.2", **refresh) == 403
        assert status("127.0.0.2") == 502
    finally:
        nginx.terminate()
        nginx.wait(10)
