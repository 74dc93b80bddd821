"""Uploads served by the portal itself (public copies and originals at signed
addresses) never run as one of its pages: each carries nosniff and a policy
of its own, and all but images and PDFs are downloaded rather than shown."""

import pytest
from django.core.files.storage import default_storage

from tests.core.test_documents import HTML, image, pdf

SANDBOXED = "default-src 'none'; sandbox"


@pytest.fixture(autouse=True)
def serve_media(settings):
    """The public copies are served by the portal, as on the embedded default."""
    settings.SERVE_MEDIA = True


@pytest.fixture(params=["public copy", "original"])
def upload(request, settings):
    """The address of a stored file: a public copy's, or an original's signed one."""

    def put(name, content):
        stored = f"documents/2026/{name}"
        folder = settings.MEDIA_ROOT / ("public" if request.param == "public copy" else "")
        path = folder / stored
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        if request.param == "public copy":
            return f"/media/public/{stored}"
        return default_storage.url(stored)

    return put


@pytest.mark.parametrize(
    ("name", "content", "content_type", "policy", "attachment"),
    [
        ("report.pdf", pdf(), "application/pdf", "default-src 'none'", False),
        ("photo.jpg", image("JPEG"), "image/jpeg", SANDBOXED, False),
        ("map.png", image("PNG"), "image/png", SANDBOXED, False),
        ("page.html", HTML, "text/html", SANDBOXED, True),
        (
            "drawing.svg",
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "image/svg+xml",
            SANDBOXED,
            True,
        ),
        ("plan.docx", b"PK\x03\x04", None, SANDBOXED, True),
        ("notes", b"plain", None, SANDBOXED, True),
    ],
    ids=["pdf", "jpeg", "png", "html", "svg", "docx", "no extension"],
)
def test_a_served_upload_carries_headers_that_keep_it_from_running(
    client, upload, name, content, content_type, policy, attachment
):
    response = client.get(upload(name, content))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    if content_type:
        assert response["Content-Type"].startswith(content_type)
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == policy
    assert (response.get("Content-Disposition") == "attachment") is attachment


def test_uploads_are_served_only_as_the_settings_say_at_each_request(client, upload, settings):
    """The public copies with SERVE_MEDIA, and nothing while the uploads are
    in an object store: decided at the request, so that it holds whenever
    the URLs were first loaded."""
    address = upload("report.pdf", pdf())
    assert client.get(address).status_code == 200
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    assert client.get(address).status_code == 404


def test_public_copies_are_not_served_without_serve_media(client, settings):
    path = settings.MEDIA_ROOT / "public" / "documents" / "2026" / "report.pdf"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pdf())
    assert client.get("/media/public/documents/2026/report.pdf").status_code == 200
    settings.SERVE_MEDIA = False
    assert client.get("/media/public/documents/2026/report.pdf").status_code == 404
