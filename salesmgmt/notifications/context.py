"""The bell's unread count, for every page that shows the bell (templates/includes/bell.html)."""

from django.utils.functional import SimpleLazyObject

from salesmgmt.models import Notification


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy: a page that never renders the bell (an HTMX fragment, an export) never counts.
    return {
        "unread_notifications": SimpleLazyObject(
            lambda: Notification.objects.unread().filter(user=user).count()
        )
    }
