import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .models import ApiToken, CompanySettings, Team, User


def hash_key(key: str) -> str:
    # Keys are 32 random bytes: a plain SHA-256 is enough, no slow hash needed.
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_api_token(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key; only the hash is kept."""
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name.strip() or "API token", prefix=key[:8], key_hash=hash_key(key)
    )
    return token, key


@transaction.atomic
def revoke_api_token(*, token: ApiToken, by: User) -> None:
    if token.user_id != by.pk:
        raise PermissionDenied("Only the owner revokes a token.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


@transaction.atomic
def set_focus_metrics(*, team: Team, metrics, by: User) -> bool:
    """Set the team's focus metrics. Returns True when there are more than the
    company thinks reps can focus on (a warning, not a refusal)."""
    if not Team.objects.managed_by(by).filter(pk=team.pk).exists():
        raise PermissionDenied("Only the team's manager picks its focus metrics.")
    metrics = list(metrics)
    team.focus_metrics.set(metrics)
    return len(metrics) > CompanySettings.load().focus_metric_warning
