"""What the audit trail reads: the audited models and the apps' older change tables.

The core does not import the apps. Each app names its audited models (kept by
``AuditedHistory``) and its own change tables (``ActivityChange``, ``GoalChange``) from
its AppConfig.ready()::

    audit.register_history(Customer, key="customer", name="name", url=customer_url)
    audit.register_log(LogSource(key="activity", ...))

A *history* source is a simple_history table: the common columns come from it directly.
A *log* source is any other table of changes: it says how its rows read as the common
columns (``rows``) and how one page of them reads as entries (``entries``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import models
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast

from salesmgmt.audit.history import BASELINE

# The columns every source gives the union, in this order.
COLUMNS = (
    "audit_kind",  # the source's key
    "audit_row",  # the row's id in its table
    "audit_object",  # the changed object's id
    "audit_name",  # its name, when the table keeps one
    "audit_at",
    "audit_user",  # who (None: the system)
    "audit_action",  # '+' created, '~' changed, '-' deleted
    "audit_fields",  # ",field,field," changed
)


@dataclass(frozen=True)
class HistorySource:
    key: str
    model: type[models.Model]
    # A column (or expression) of the historical table that names the object in lists
    # and in the search; None: the object's id only.
    name: str | None = None
    # The object's page, from its id (None: no page); a row whose object is gone has none.
    url: Callable[[int], str] | None = None
    # Shown with its parent's history (a contact on its customer's page): (parent key,
    # the column holding the parent's id).
    parent: tuple[str, str] | None = None
    # Names an entry better than the name column (e.g. a goal's label), given the
    # historical rows of a page (one query at most for all of them).
    describe: Callable[[list], dict] | None = None

    @property
    def label(self):
        return self.model._meta.verbose_name

    @property
    def history_model(self):
        return self.model.history.model

    def rows(self) -> models.QuerySet:
        name = F(self.name) if self.name else Value("")
        return self.history_model.objects.exclude(changed_fields=BASELINE).annotate(
            audit_kind=Value(self.key, output_field=CharField()),
            audit_row=F("history_id"),
            audit_object=F("id"),
            audit_name=Cast(name, CharField()),
            audit_at=F("history_date"),
            audit_user=F("history_user_id"),
            audit_action=F("history_type"),
            audit_fields=F("changed_fields"),
        )


@dataclass(frozen=True)
class LogSource:
    key: str
    label: object  # a (lazy) name for the object type
    # The rows as the common columns (annotations named as COLUMNS; action '+', '~', '-').
    rows: Callable[[], models.QuerySet]
    # One page of rows (their row ids) as AuditEntry objects, by row id; a fixed number
    # of queries whatever the page holds.
    entries: Callable[[list[int]], dict]
    # The fields a row may name (for the field filter): (name, verbose name).
    fields: tuple = ()
    url: Callable[[int], str] | None = None


@dataclass
class Registry:
    history: dict[str, HistorySource] = field(default_factory=dict)
    logs: dict[str, LogSource] = field(default_factory=dict)

    def all_keys(self) -> list[str]:
        return [*self.history, *self.logs]

    def label(self, key: str):
        source = self.history.get(key) or self.logs.get(key)
        return source.label if source else key


registry = Registry()


def register_history(model, *, key: str, **options) -> None:
    """Show ``model``'s history (it must have an ``AuditedHistory``) in the audit trail."""
    if not hasattr(model, "history"):
        raise ValueError(f"{model.__name__} keeps no history (add AuditedHistory).")
    registry.history[key] = HistorySource(key=key, model=model, **options)


def register_log(source: LogSource) -> None:
    """Show an app's own change table in the audit trail."""
    registry.logs[source.key] = source
