"""Optimistic concurrency, one way for every row two people edit.

Such a row carries ``version``, raised by every write. A write states the version
it read; the service locks the row by its primary key alone (a lock taken over a
join or a filter on changing columns loses the row when another write changes
those columns) and compares, before any business rule: a stale write is a
conflict (409 on the API, "changed by someone else" on pages), never a rule's
refusal judged on what the writer no longer sees.
"""

from django.db import models
from django.utils.translation import gettext

from salesmgmt.errors import ConflictError


def lock_row(model: type[models.Model], pk: int, *, gone: str | None = None):
    """The row, locked by its key; a row removed meanwhile is a conflict, not a 500."""
    row = model.objects.select_for_update(of=("self",)).filter(pk=pk).first()
    if row is None:
        raise ConflictError(
            gone
            or gettext("This %(object)s was removed by someone else.")
            % {"object": model._meta.verbose_name}
        )
    return row


def check_version(row: models.Model, version: int | None, *, message: str | None = None) -> None:
    """Refuse a write made from a stale read; ``None`` (a client that sent none) passes."""
    if version is not None and row.version != version:
        raise ConflictError(
            message
            or gettext(
                "This %(object)s was changed by someone else since you opened it. Nothing "
                "was saved; reload to see the latest version."
            )
            % {"object": row._meta.verbose_name}
        )


def lock_current(obj: models.Model, version: int | None, *, message: str | None = None) -> None:
    """Lock ``obj``'s row and check ``version`` (None: the version ``obj`` was read at);
    then bring ``obj`` up to the locked row, so the rules see it as it stands."""
    locked = lock_row(type(obj), obj.pk, gone=message)
    check_version(locked, obj.version if version is None else version, message=message)
    if obj.version != locked.version:  # obj was read before the version the client sent
        for field in obj._meta.concrete_fields:
            setattr(obj, field.attname, getattr(locked, field.attname))


def bump(row: models.Model) -> None:
    """Raise ``row``'s version: every write does, so a reader's stale version is refused."""
    row.version += 1
