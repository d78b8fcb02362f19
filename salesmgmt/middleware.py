from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers

from salesmgmt.i18n import language_for_request


class UserTimezoneMiddleware:
    """Show times in the signed-in person's own timezone."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        zone = user.tzinfo if user is not None and user.is_authenticated else None
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)


class LanguageMiddleware:
    """Show pages in the person's language (salesmgmt.i18n.language_for_request).

    After AuthenticationMiddleware: a signed-in person's own choice comes first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = language_for_request(request)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response
