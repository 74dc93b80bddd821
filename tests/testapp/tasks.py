"""A task that only the tests' workers know (DJANGO_SETTINGS_MODULE=tests.settings)."""

import time

from celery import shared_task


@shared_task(name="tests.testapp.tasks.hold")
def hold(seconds):
    """Keep a worker's only slot busy, as a long sitemap build or upload does."""
    time.sleep(seconds)
