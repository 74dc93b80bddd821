"""The seed content: the facts of the two source articles, in
asean_portal/ops/seed/*.yaml, loaded by each app's seeders
(asean_portal.core.seeding)."""

from pathlib import Path

import yaml

SEED_DIR = Path(__file__).resolve().parent / "seed"
SEED_FILES = ("reference.yaml", "content.yaml", "meetings.yaml", "announcements.yaml")


def read_seed(directory=SEED_DIR):
    data = {}
    for name in SEED_FILES:
        with open(directory / name, encoding="utf-8") as handle:
            data.update(yaml.safe_load(handle))
    return data
