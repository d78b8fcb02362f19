from datetime import timedelta

from django.utils import timezone, translation
from django.utils.translation import gettext
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from salesmgmt.i18n import supported
from salesmgmt.models import ApiToken
from salesmgmt.org.services import hash_key


class HashedTokenAuthentication(BaseAuthentication):
    """``Authorization: Token <key>`` against the hashed personal tokens."""

    keyword = "Token"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                gettext("Invalid token header: expected 'Token <key>'.")
            )
        try:
            key = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(gettext("Invalid token header.")) from exc
        token = (
            ApiToken.objects.active().select_related("user").filter(key_hash=hash_key(key)).first()
        )
        if token is None or not token.user.is_active:
            raise exceptions.AuthenticationFailed(gettext("Invalid or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        # The middleware chose the language before the token named its owner: a saved
        # choice of theirs beats the client's Accept-Language, as it does on pages.
        chosen = supported(token.user.language)
        if chosen:
            translation.activate(chosen)
            request._request.LANGUAGE_CODE = chosen
        return token.user, token

    def authenticate_header(self, request):
        return self.keyword


class HashedTokenScheme(OpenApiAuthenticationExtension):
    target_class = HashedTokenAuthentication
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "Personal API token: `Token <key>`. Create one on your profile page.",
        }
