"""Validates compose.yaml against the Compose Specification's JSON schema
(deploy/compose-spec.json, vendored from the compose-spec repository), as
`make lint` and CI do without a container runtime. Exit status 1 on errors."""

import json
import sys
from pathlib import Path

import yaml
from jsonschema import Draft7Validator

BASE_DIR = Path(__file__).resolve().parent.parent
SCHEMA = BASE_DIR / "deploy" / "compose-spec.json"


def errors(path):
    document = yaml.safe_load(Path(path).read_text())
    validator = Draft7Validator(json.loads(SCHEMA.read_text()))
    return [
        f"{path}: {'/'.join(str(p) for p in error.absolute_path) or '(top)'}: {error.message}"
        for error in sorted(validator.iter_errors(document), key=lambda e: list(e.path))
    ]


def main(paths):
    found = [line for path in paths or [BASE_DIR / "compose.yaml"] for line in errors(path)]
    print("\n".join(found) or "compose.yaml follows the Compose Specification.")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
