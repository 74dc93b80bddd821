"""The Celery application: configured from the CELERY_* Django settings."""

import os

from celery import Celery

from asean_portal.ops import broker

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "asean_portal.settings")

broker.register()
app = Celery("asean_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
