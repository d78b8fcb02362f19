"""How audited models keep their history: django-simple-history, one row per real change.

``AuditedHistory`` is ``HistoricalRecords`` with two rules of ours:

- a save that changes no tracked field writes no history row (a user's login touches
  ``last_login`` only, a form saved unchanged changes nothing): it reads the object's
  latest history row first (one indexed query per save) and compares;
- each row names the fields it changed (``changed_fields``: ",amount,stage,"), so the
  audit view filters by field in SQL.

Writes that bypass ``save()`` use ``bulk_create_with_audit`` / ``bulk_update_with_audit``,
which do the same for a batch in two queries (the latest rows, then one insert).
The user of a change is the request's user (``HistoryRequestMiddleware``; an API call's
token user too: DRF sets the authenticated user on the underlying request), or
``by=`` when a job or command knows who acted; nobody (``None``) is "the system".
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import models
from django.db.models import Max
from django.dispatch import receiver
from django.utils import timezone
from simple_history.models import HistoricalRecords
from simple_history.signals import pre_create_historical_record

# Columns every audited model carries that say nothing about the business: never history.
BOOKKEEPING_FIELDS = ("version", "created_at", "updated_at")


class AuditFields(models.Model):
    """What every historical model adds to simple_history's columns."""

    changed_fields = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        abstract = True


# ``changed_fields`` of a baseline row: the state an object had before its first recorded
# change, read from the table when that change is saved (rows written before the audit
# trail existed, or by bulk loads). It gives the first change its old values; lists skip it.
BASELINE = "="


_paused = ContextVar("audit_history_paused", default=False)


@contextmanager
def history_paused():
    """Machine-made data (the demo's bulk load) writes no history inside this block; an
    object's first change afterwards reads it as it stood (a baseline)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


_acting = ContextVar("audit_history_acting_user", default=None)


@contextmanager
def acting_as(user):
    """Changes saved inside this block are ``user``'s, when no request says who acts (a
    background job doing what someone asked: their import)."""
    token = _acting.set(user)
    try:
        yield
    finally:
        _acting.reset(token)


class AuditedHistory(HistoricalRecords):
    def __init__(self, *, excluded_fields=(), **kwargs):
        kwargs.setdefault("bases", [AuditFields])
        super().__init__(excluded_fields=[*BOOKKEEPING_FIELDS, *excluded_fields], **kwargs)

    def finalize(self, sender, **kwargs):
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            models.signals.pre_save.connect(self.pre_save, sender=sender, weak=False)

    def get_history_user(self, instance):
        user = super().get_history_user(instance)
        return user if user is not None else _acting.get()

    def pre_save(self, instance, raw=False, update_fields=None, **kwargs):
        """Read what the change is compared with, before the row changes: the object's
        latest history row, or, when it has none, the row itself (a baseline)."""
        for leftover in ("_audit_skip", "_audit_previous", "_audit_baseline"):
            instance.__dict__.pop(leftover, None)  # from a save that failed
        if raw or instance._state.adding or instance.pk is None or _paused.get():
            return
        fields = self.fields_included(instance)
        if update_fields is not None and not {f.name for f in fields} & set(update_fields):
            instance._audit_skip = True  # e.g. a login's last_login: nothing kept changes
            return
        model = type(instance)
        previous = _latest_values(model, fields, [instance.pk]).get(instance.pk)
        if previous is None:
            attnames = [f.attname for f in fields]
            previous = model._base_manager.filter(pk=instance.pk).values(*attnames).first()
            instance._audit_baseline = previous
        instance._audit_previous = previous

    def create_historical_record(self, instance, history_type, using=None):
        if _paused.get():
            return
        state = instance.__dict__
        skip = state.pop("_audit_skip", False)
        previous = state.pop("_audit_previous", None)
        baseline = state.pop("_audit_baseline", None)
        if skip:
            return
        changed = ""
        if history_type == "~" and previous is not None:
            names = _changed(self.fields_included(instance), previous, instance)
            if not names:
                return  # nothing tracked changed: no history row
            changed = "," + ",".join(names) + ","
            if baseline is not None:
                _write_baselines(type(instance), [baseline], instance.pk)
        instance._audit_changed_fields = changed
        try:
            super().create_historical_record(instance, history_type, using=using)
        finally:
            del instance._audit_changed_fields


def _write_baselines(model, states, *pks):
    history = model.history.model
    now = timezone.now()
    history.objects.bulk_create(
        history(
            id=pk,
            history_date=now,
            history_type="~",
            history_user=None,
            changed_fields=BASELINE,
            **{name: value for name, value in state.items() if name != "id"},
        )
        for pk, state in zip(pks, states, strict=True)
    )


@receiver(pre_create_historical_record)
def _fill_changed_fields(sender, instance, history_instance, **kwargs):
    if isinstance(history_instance, AuditFields):
        history_instance.changed_fields = getattr(instance, "_audit_changed_fields", "")


def tracked_fields(model) -> list[models.Field]:
    """The fields of ``model`` its history keeps, in the model's order."""
    history = model.history.model
    names = {f.name for f in history.tracked_fields}
    return [f for f in model._meta.concrete_fields if f.name in names and not f.primary_key]


def _same(field, old, new) -> bool:
    try:
        return field.to_python(old) == field.to_python(new)
    except Exception:  # noqa: BLE001 - a value the field cannot read is a change
        return old == new


def _changed(fields, previous: dict, instance) -> list[str]:
    return [
        f.name
        for f in fields
        if not f.primary_key and not _same(f, previous[f.attname], getattr(instance, f.attname))
    ]


def _latest_values(model, fields, pks) -> dict:
    """Each object's latest history row's values, by object id (one query)."""
    history = model.history.model
    attnames = ["id", *(f.attname for f in fields if f.attname != "id")]
    latest = (
        history.objects.filter(id__in=pks).values("id").annotate(last=Max("history_id"))
    ).values("last")
    return {
        row["id"]: row for row in history.objects.filter(history_id__in=latest).values(*attnames)
    }


def bulk_create_with_audit(model, objs, *, batch_size=None, by=None):
    """``model.objects.bulk_create(objs)`` and a "created" history row for each."""
    created = model.objects.bulk_create(objs, batch_size=batch_size)
    if _paused.get():
        return created
    model.history.bulk_history_create(created, batch_size=batch_size, default_user=by)
    return created


def bulk_update_with_audit(model, objs, fields, *, batch_size=None, by=None) -> int:
    """``model.objects.bulk_update(objs, fields)`` and a "changed" history row for each
    object whose tracked fields changed (naming them), as a save would write."""
    objs = list(objs)
    if _paused.get():
        return model.objects.bulk_update(objs, fields, batch_size=batch_size)
    history = model.history.model
    included = tracked_fields(model)
    pks = [obj.pk for obj in objs]
    latest = _latest_values(model, included, pks)
    missing = [pk for pk in pks if pk not in latest]
    if missing:  # never recorded: their rows as they stand are the baselines
        attnames = ["pk", *(f.attname for f in included)]
        current = {
            row.pop("pk"): row
            for row in model._base_manager.filter(pk__in=missing).values(*attnames)
        }
        _write_baselines(model, list(current.values()), *current)
        latest.update(current)
    updated = model.objects.bulk_update(objs, fields, batch_size=batch_size)
    now = timezone.now()
    rows = []
    for obj in objs:
        names = _changed(included, latest[obj.pk], obj) if obj.pk in latest else []
        if not names:
            continue
        rows.append(
            history(
                history_date=now,
                history_user=by or history.get_default_history_user(obj),
                history_type="~",
                changed_fields="," + ",".join(names) + ",",
                **{f.attname: getattr(obj, f.attname) for f in history.tracked_fields},
            )
        )
    history.objects.bulk_create(rows, batch_size=batch_size)
    return updated
