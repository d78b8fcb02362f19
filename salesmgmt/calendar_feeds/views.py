"""The feed itself (no sign-in: the URL is the key) and the profile's feed actions."""

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from salesmgmt.calendar_feeds import selectors, services
from salesmgmt.i18n import language_of

# Per token: calendar apps poll every few minutes at most; more than this is a script
# or a loop, told to wait (429) rather than served.
THROTTLE_REQUESTS = 60
THROTTLE_SECONDS = 3600


def _throttled(token: str) -> bool:
    key = "calendar-feed-throttle:" + hashlib.sha256(token.encode()).hexdigest()[:32]
    cache.add(key, 0, timeout=THROTTLE_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired (or the cache is away) between add and incr
        return False
    return count > THROTTLE_REQUESTS


@login_not_required
@require_safe
def feed(request, token):
    """GET /calendar/<token>.ics: the owner's feed; 404 for an unknown or revoked token."""
    found = selectors.feed_for_token(token)
    if found is None:
        raise Http404
    if _throttled(token):
        response = HttpResponse(status=429)
        response["Retry-After"] = str(THROTTLE_SECONDS // 4)
        return response
    services.record_fetch(feed=found)
    body = selectors.feed_calendar(found)
    etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    response = get_conditional_response(request, etag=etag) or HttpResponse(
        body, content_type="text/calendar; charset=utf-8"
    )
    response["ETag"] = etag
    response["Content-Language"] = language_of(found.user)
    response["Content-Disposition"] = 'inline; filename="salesmgmt.ics"'
    # Private: the URL is personal, so no shared cache keeps a copy; a subscriber may
    # reuse it for a quarter of an hour, then asks again (an unchanged feed is a 304).
    patch_cache_control(response, private=True, max_age=900)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_POST
def create(request):
    services.create_calendar_feed(user=request.user)
    messages.success(request, _("Your calendar feed is ready: add its address to your calendar."))
    return redirect(_profile_section())


@require_POST
def reset(request):
    services.reset_calendar_feed(user=request.user)
    messages.success(
        request,
        _("Your calendar feed has a new address; the old one no longer works. Subscribe again."),
    )
    return redirect(_profile_section())


@require_POST
def revoke(request):
    services.revoke_calendar_feed(user=request.user)
    messages.success(request, _("Calendar feed turned off; its address no longer works."))
    return redirect(_profile_section())


def _profile_section() -> str:
    return reverse("profile") + "#calendar-feed"
