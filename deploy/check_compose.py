"""Validates compose.yaml against the Compose Specification's JSON schema
(deploy/compose-spec.json, vendored from the compose-spec repository), and
checks that its proxy's configuration (deploy/nginx/compose.conf) is the
current rendering of the nginx template, accepting refreshes from compose.yaml's
network alone, and that the web nodes and workers know the proxy to purge; as
`make lint` and CI do without a container runtime. Exit status 1 on errors."""

import json
import sys
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
SCHEMA = BASE_DIR / "deploy" / "compose-spec.json"

from asean_portal.ops import proxy  # noqa: E402


def errors(path):
    document = yaml.safe_load(Path(path).read_text())
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    return [
        f"{path}: {'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    ]


def purge_errors(path, config=proxy.COMPOSE_CONFIG):
    """What keeps compose.yaml's proxy from being purged as the portal expects."""
    document = yaml.safe_load(Path(path).read_text())
    found = []
    if not Path(config).exists() or Path(config).read_text() != proxy.compose_config():
        found.append(f"{config}: not the template's rendering: python -m asean_portal.ops.proxy")
    ranges = document.get("networks", {}).get("default", {}).get("ipam", {}).get("config", [{}])[0]
    if (ranges.get("subnet"), ranges.get("gateway")) != (
        proxy.COMPOSE_SUBNET,
        proxy.COMPOSE_GATEWAY,
    ):
        found.append(
            f"{path}: networks/default: the proxy accepts refreshes from "
            f"{proxy.COMPOSE_SUBNET} (gateway {proxy.COMPOSE_GATEWAY}) only"
        )
    for name in ("web", "worker"):
        environment = document.get("services", {}).get(name, {}).get("environment") or {}
        if not str(environment.get("PROXY_PURGE_URL", "")).startswith("http://proxy"):
            found.append(f"{path}: services/{name}: PROXY_PURGE_URL is not the proxy")
    return found


def main(paths):
    found = [
        line
        for path in paths or [BASE_DIR / "compose.yaml"]
        for line in (*errors(path), *purge_errors(path))
    ]
    print("\n".join(found) or "compose.yaml follows the Compose Specification.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
