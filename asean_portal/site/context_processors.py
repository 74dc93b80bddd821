from . import preferences as prefs


def portal(request):
    return {
        "font_size": prefs.font_size(request),
        "contrast": prefs.contrast(request),
        "font_sizes": prefs.FONT_SIZES,
        "print_view": request.GET.get("print") == "1",
    }
