import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views import i18n as i18n_views
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from salesmgmt.i18n import supported


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks, healthy = {}, True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means unhealthy
        checks["database"], healthy = f"error: {exc.__class__.__name__}", False
    if settings.REDIS_URL:
        try:
            redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
            checks["redis"] = "ok"
        except Exception as exc:  # noqa: BLE001
            checks["redis"], healthy = f"error: {exc.__class__.__name__}", False
    else:
        checks["redis"] = "not configured"
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )


@login_not_required
@require_GET
def favicon(request):
    # Resolved per request: at import time the static manifest may not exist yet.
    return redirect(static("favicon.svg"), permanent=True)


@login_not_required
@require_POST
def set_language(request):
    """The switcher in the top bar (and on the sign-in page): Django's set_language,
    which keeps the choice in the language cookie, and for a signed-in person their
    saved preference too, so e-mails and other devices follow."""
    response = i18n_views.set_language(request)
    language = supported(request.POST.get("language"))
    if language and request.user.is_authenticated and request.user.language != language:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return response
