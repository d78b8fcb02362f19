import hashlib
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from salesmgmt.errors import RuleViolation
from salesmgmt.models import ApiToken, CompanySettings, Role, Team, User


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
        raise PermissionDenied(gettext("Only the owner revokes a token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


@transaction.atomic
def set_focus_metrics(*, team: Team, metrics, by: User) -> bool:
    """Set the team's focus metrics. Returns True when there are more than the
    company thinks reps can focus on (a warning, not a refusal)."""
    if not Team.objects.managed_by(by).filter(pk=team.pk).exists():
        raise PermissionDenied(gettext("Only the team's manager picks its focus metrics."))
    metrics = list(metrics)
    team.focus_metrics.set(metrics)
    return len(metrics) > CompanySettings.load().focus_metric_warning


# --- Nobody locks the company out -------------------------------------------------------------

# The fields that make someone an administrator who can still sign in.
ADMIN_POWERS = ("role", "is_active", "is_superuser")

OWN_POWERS_REFUSED = {
    "role": gettext_lazy("You cannot change your own role; ask another administrator."),
    "is_active": gettext_lazy("You cannot deactivate your own account; ask another administrator."),
    "is_superuser": gettext_lazy(
        "You cannot change your own superuser status; ask another administrator."
    ),
}


def _is_active_admin(*, role: str, is_active: bool, is_superuser: bool) -> bool:
    return is_active and (role == Role.ADMIN or is_superuser)


def _active_admin_ids() -> set[int]:
    # Locked, so two admins demoting each other at once are checked one after the other;
    # in key order, so two such changes take the locks in the same order (no deadlock).
    admins = (
        User.objects.select_for_update()
        .filter(Q(role=Role.ADMIN) | Q(is_superuser=True), is_active=True)
        .order_by("pk")
    )
    return set(admins.values_list("pk", flat=True))


@transaction.atomic
def check_user_change(*, user: User, by: User, **changes) -> None:
    """Refuse a change of role, active flag or superuser status that could lock the
    company out: nobody changes their own, and the last active administrator stays one.

    ``changes`` are the proposed values; other fields are ignored. Every surface that
    edits users (API, Django admin) asks here before saving.
    """
    admins = _active_admin_ids()  # first: every change locks the admins before its target
    stored = User.objects.select_for_update().get(pk=user.pk)
    changed = [
        name for name in ADMIN_POWERS if name in changes and changes[name] != getattr(stored, name)
    ]
    if not changed:
        return
    if stored.pk == by.pk:
        raise RuleViolation({name: OWN_POWERS_REFUSED[name] for name in changed})
    before = {name: getattr(stored, name) for name in ADMIN_POWERS}
    after = before | {name: changes[name] for name in changed}
    if _is_active_admin(**before) and not _is_active_admin(**after) and admins <= {stored.pk}:
        message = gettext(
            "%(user)s is the last active administrator; make someone else an administrator first."
        ) % {"user": stored}
        raise RuleViolation({name: message for name in changed})


@transaction.atomic
def update_user(*, user: User, by: User, **fields) -> User:
    check_user_change(user=user, by=by, **fields)
    for name, value in fields.items():
        setattr(user, name, value)
    user.save()
    return user


@transaction.atomic
def check_users_removable(*, users, by: User) -> None:
    """Nobody deletes their own account, and the last active administrator stays."""
    ids = {user.pk for user in users}
    if by.pk in ids:
        raise RuleViolation(
            gettext("You cannot delete your own account; ask another administrator.")
        )
    admins = _active_admin_ids()
    if admins and admins <= ids:
        raise RuleViolation(
            gettext(
                "That would delete the last active administrator; make someone else an "
                "administrator first."
            )
        )


@transaction.atomic
def delete_users(*, users, by: User) -> None:
    users = list(users)
    check_users_removable(users=users, by=by)
    User.objects.filter(pk__in=[user.pk for user in users]).delete()


# --- Acting for a rep -----------------------------------------------------------------------------


def reps_writable_by(user: User):
    """The reps whose log ``user`` may write: themselves, or the reps they manage."""
    return User.objects.visible_to(user).sales_reps()


def check_owner(owner: User, by: User) -> None:
    """Customers, deals and tasks belong to a rep the writer may act for."""
    if not reps_writable_by(by).filter(pk=owner.pk).exists():
        raise PermissionDenied(gettext("You may not act for this rep."))
