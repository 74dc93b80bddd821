"""The portal's settings, with a content type that exists only in the tests
(tests/testapp) installed beside the real ones."""

from asean_portal.settings import *  # noqa: F403
from asean_portal.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
ROOT_URLCONF = "tests.testapp.urls"
