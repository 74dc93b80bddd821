"""Uploads served by the portal itself never run as one of its pages: each
carries nosniff and a policy of its own, and all but images and PDFs are
downloaded rather than shown."""

import pytest

from tests.core.test_documents import HTML, image, pdf

pytestmark = pytest.mark.urls("tests.media_urls")

SANDBOXED = "default-src 'none'; sandbox"


@pytest.fixture
def upload(settings):
    def put(name, content):
        path = settings.MEDIA_ROOT / "documents" / "2026" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        return f"/media/documents/2026/{name}"

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
