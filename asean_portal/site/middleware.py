import unicodedata

from django.conf import settings
from django.http import QueryDict
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_path


class LanguageCookieMiddleware:
    """Remember the language of the last page read, so that / leads back to it.

    The URL prefix decides a page's language; the cookie only matters for the
    bare / redirect, which LocaleMiddleware resolves by cookie, then
    Accept-Language, then Vietnamese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return remember_language(request, self.get_response(request))


def remember_language(request, response):
    language = get_language_from_path(request.path_info)
    if language is None:
        if response.status_code in (301, 302):
            patch_vary_headers(response, ("Cookie",))
        return response
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=request.is_secure(),
        )
    return response


class NFCInputMiddleware:
    """Every text a person sends (the admin's forms, the contact form, search
    and filter queries) reaches the views in Unicode NFC.

    Vietnamese can be typed precomposed ("ộ") or with combining marks
    ("o" + U+0323 + U+0302, as some keyboards and systems send it); the two
    look the same but compare, count and search differently. Normalising at
    the one door through which people's text enters means the forms validate
    lengths and uniqueness, tell a real change from a re-typed one (the
    "English outdated" state) and store exactly one form of each text.
    Passwords are left as typed: they are secrets compared as entered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = nfc_query(request.GET)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # After CsrfViewMiddleware, which has read the posted fields already;
        # files are left alone.
        if request.method == "POST":
            request.POST = nfc_query(request.POST)


def nfc_query(query):
    """A QueryDict with every key and value in NFC (the same object when
    nothing needed changing)."""
    if all(
        unicodedata.is_normalized("NFC", key)
        and all(unicodedata.is_normalized("NFC", value) for value in values)
        for key, values in query.lists()
    ):
        return query
    normalised = QueryDict(mutable=True, encoding=query.encoding)
    for key, values in query.lists():
        if "password" in key:
            normalised.setlist(key, values)
        else:
            normalised.setlist(
                unicodedata.normalize("NFC", key),
                [unicodedata.normalize("NFC", value) for value in values],
            )
    normalised._mutable = query._mutable
    return normalised
