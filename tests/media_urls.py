"""The portal's URLs as they are with SERVE_MEDIA on (the embedded default),
read afresh from asean_portal/urls.py."""

import importlib.util

from django.test import override_settings

_spec = importlib.util.find_spec("asean_portal.urls")
_portal_urls = importlib.util.module_from_spec(_spec)
with override_settings(SERVE_MEDIA=True):
    _spec.loader.exec_module(_portal_urls)

urlpatterns = _portal_urls.urlpatterns
handler400 = _portal_urls.handler400
handler403 = _portal_urls.handler403
handler404 = _portal_urls.handler404
handler500 = _portal_urls.handler500
