"""Visitors' reading preferences (font size, contrast), kept in cookies.

The server reads them so that pages render with the chosen size without
JavaScript; static/js/portal.js applies a change at once when scripts run.
"""

from django.utils.translation import gettext_lazy as _

FONT_COOKIE = "portal_font"
CONTRAST_COOKIE = "portal_contrast"

FONT_SIZES = {
    # value: (button label, accessible name)
    "small": ("A−", _("Smaller text")),
    "normal": ("A", _("Default text size")),
    "large": ("A+", _("Larger text")),
}
CONTRASTS = {
    "normal": _("Standard contrast"),
    "high": _("High contrast"),
}


def font_size(request):
    value = request.COOKIES.get(FONT_COOKIE, "normal")
    return value if value in FONT_SIZES else "normal"


def contrast(request):
    value = request.COOKIES.get(CONTRAST_COOKIE, "normal")
    return value if value in CONTRASTS else "normal"


def cache_variant(cookies):
    """The reading preferences a page's cached copy is kept under: (font
    size, contrast), each "" for its default or for a value that is not one
    (the page renders the default then), as the proxy maps the cookies. Any
    other value would be a new copy of the same page, so anyone could fill
    the cache by sending made-up values."""
    font = cookies.get(FONT_COOKIE, "")
    contrast = cookies.get(CONTRAST_COOKIE, "")
    return (
        font if font in FONT_SIZES and font != "normal" else "",
        contrast if contrast in CONTRASTS and contrast != "normal" else "",
    )
