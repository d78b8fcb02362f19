from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def email_is_delivered(app_configs, **kwargs):
    """In production, password resets and plan notices must reach people."""
    if settings.EMAIL_BACKEND.endswith("console.EmailBackend"):
        return [
            Warning(
                "E-mail is printed to the console, so password-reset links and plan "
                "notifications end up in the logs.",
                hint="Set EMAIL_HOST (and EMAIL_HOST_USER / EMAIL_HOST_PASSWORD).",
                id="salesmgmt.W001",
            )
        ]
    return []
