from django.conf import settings
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
