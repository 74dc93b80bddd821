"""Static files: collected with hashed, compressed names and served by
whitenoise with long-lived caching, from no other host."""

import re

from django.test import Client


def test_collected_static_files_are_hashed_compressed_and_immutable(collected_static, settings):
    root = collected_static
    assert (root / "staticfiles.json").is_file()
    hashed = list((root / "css").glob("portal.*.css"))
    assert hashed, "no hashed stylesheet"
    assert (root / "css" / f"{hashed[0].name}.gz").is_file()

    settings.STATIC_ROOT = root
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    client = Client()
    html = client.get("/vi/").content.decode()
    href = re.search(r'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', html).group(1)
    response = client.get(href, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert "immutable" in response["Cache-Control"]
    assert response["Content-Encoding"] == "gzip"


def test_pages_load_nothing_from_another_host(client):
    html = client.get("/vi/").content.decode()
    for attribute in re.findall(r'(?:src|href)="([^"]+)"', html):
        if attribute.startswith(("http://", "https://", "//")):
            assert attribute.startswith("http://testserver/"), attribute
