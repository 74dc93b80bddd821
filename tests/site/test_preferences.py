import pytest


@pytest.mark.parametrize("size", ["small", "normal", "large"])
def test_font_size_link_sets_a_cookie_and_returns_to_the_page(client, size):
    response = client.get(f"/vi/tuy-chon/?font={size}&next=/vi/tin-tuc/")
    assert response.status_code == 302
    assert response["Location"] == "/vi/tin-tuc/"
    cookie = response.cookies["portal_font"]
    assert cookie.value == size
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) > 300 * 24 * 3600
    assert "no-cache" in response["Cache-Control"]


def test_pages_render_with_the_remembered_size(client):
    client.get("/en/preferences/?font=large&next=/en/")
    html = client.get("/en/news/").content.decode()
    assert '<html lang="en" class="font-large contrast-normal">' in html
    assert 'data-value="large" href="/en/preferences/?font=large&amp;next=/en/news/"' in html
    current = html.split('data-value="large"')[1].split(">")[0]
    assert 'aria-current="true"' in current


def test_the_contrast_toggle_is_named_by_what_it_does(client):
    """One link: in standard contrast it offers high contrast, and the other
    way round, in the page's language."""

    def toggle(path):
        html = client.get(path).content.decode()
        return html.split('class="contrast-option"')[1].split("</a>")[0]

    standard = toggle("/vi/")
    assert 'href="/vi/tuy-chon/?contrast=high&amp;next=/vi/"' in standard
    assert standard.endswith(">Độ tương phản cao")
    client.get("/vi/tuy-chon/?contrast=high&next=/vi/")
    high = toggle("/vi/")
    assert 'href="/vi/tuy-chon/?contrast=normal&amp;next=/vi/"' in high
    assert high.endswith(">Độ tương phản thường")
    assert toggle("/en/news/").endswith(">Standard contrast")
    assert "aria-current" not in high


@pytest.mark.parametrize("value", ["huge", "", "large<script>", "1" * 500])
def test_unknown_values_are_ignored(client, value):
    response = client.get("/vi/tuy-chon/", {"font": value, "contrast": value, "next": "/vi/"})
    assert response.status_code == 302
    assert "portal_font" not in response.cookies
    assert "portal_contrast" not in response.cookies


def test_a_forged_cookie_falls_back_to_the_default(client):
    client.cookies["portal_font"] = '"><script>alert(1)</script>'
    html = client.get("/vi/").content.decode()
    assert 'class="font-normal contrast-normal"' in html
    assert "<script>alert" not in html


@pytest.mark.parametrize(
    "target", ["https://attacker.example/", "//attacker.example/x", "javascript:alert(1)"]
)
def test_next_never_leads_off_site(client, target):
    response = client.get("/en/preferences/", {"font": "large", "next": target})
    assert response["Location"] == "/en/"
