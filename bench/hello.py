"""The ceiling for `make bench`: a minimal Django hello-world view, served by
the same gunicorn configuration as the portal.

    gunicorn bench.hello:application
"""

from django.conf import settings

if not settings.configured:
    settings.configure(
        DEBUG=False,
        SECRET_KEY="hello-world-ceiling-not-a-secret",
        ALLOWED_HOSTS=["*"],
        ROOT_URLCONF=__name__,
        MIDDLEWARE=[],
        INSTALLED_APPS=[],
        USE_TZ=True,
    )

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path  # noqa: E402


def hello(request):
    return HttpResponse("Hello, world")


urlpatterns = [path("", hello)]

application = get_wsgi_application()
