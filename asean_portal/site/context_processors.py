from django.utils.functional import SimpleLazyObject

from . import preferences as prefs
from .about import AboutPortal


def portal(request):
    return {
        "font_size": prefs.font_size(request),
        "contrast": prefs.contrast(request),
        "font_sizes": prefs.FONT_SIZES,
        "contrasts": prefs.CONTRASTS,
        "print_view": request.GET.get("print") == "1",
        # Read once, by the footer of the pages that show it; mostly from the cache.
        "about_portal": SimpleLazyObject(AboutPortal.for_footer),
    }
