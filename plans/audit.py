"""The plans app in the audit trail: goals (their simple_history table) and the goals'
own GoalChange rows (with the reason given for each change)."""

from django.db.models import Case, CharField, F, Value, When
from django.urls import reverse

from plans.models import Goal, GoalChange, load_channels
from salesmgmt.audit.registry import LogSource, register_history, register_log
from salesmgmt.audit.selectors import AuditEntry, Change, display
from salesmgmt.models import CompanySettings

ACTIONS = {
    GoalChange.Action.CREATED: "+",
    GoalChange.Action.CHANGED: "~",
    GoalChange.Action.DELETED: "-",
}


def goal_names(ids) -> dict:
    """Each goal by its label ("Tom: Calls March 2026 — 120"), in two queries."""
    goals = list(
        Goal.objects.filter(pk__in=ids).with_limits().select_related("rep", "team", "division")
    )
    load_channels(goals)
    return {goal.pk: f"{goal.owner_label}: {goal.label} {goal.period_label}" for goal in goals}


def goal_change_rows():
    return GoalChange.objects.annotate(
        audit_kind=Value("goal_change", output_field=CharField()),
        audit_row=F("pk"),
        audit_object=F("goal_id"),
        audit_name=F("goal_label"),
        audit_at=F("at"),
        audit_user=F("by_id"),
        audit_action=Case(
            *[When(action=action, then=Value(mark)) for action, mark in ACTIONS.items()],
            output_field=CharField(),
        ),
        audit_fields=Case(
            When(action=GoalChange.Action.CHANGED, then=Value(",target,stretch_target,")),
            default=Value(""),
            output_field=CharField(),
        ),
    )


def goal_change_entries(ids):
    currency = CompanySettings.load().currency
    target = Goal._meta.get_field("target")
    stretch = Goal._meta.get_field("stretch_target")
    entries = {}
    for change in GoalChange.objects.filter(pk__in=ids):
        pairs = [
            (target, change.old_target, change.new_target),
            (stretch, change.old_stretch, change.new_stretch),
        ]
        entries[change.pk] = AuditEntry(
            source="goal_change",
            type_label=str(GoalChange._meta.verbose_name),
            object_id=change.goal_id,
            object_name=change.goal_label,
            at=change.at,
            user="",
            action=ACTIONS.get(change.action, "~"),
            changes=[
                Change(
                    field=f.name,
                    label=str(f.verbose_name),
                    old=display(f, old, {}, currency),
                    new=display(f, new, {}, currency),
                )
                for f, old, new in pairs
                if old != new
            ],
            note=change.reason,
            url=reverse("goals:detail", args=[change.goal_id]) if change.goal_id else None,
        )
    return entries


def register():
    register_history(
        Goal,
        key="goal",
        url=lambda pk: reverse("goals:detail", args=[pk]),
        describe=goal_names,
    )
    register_log(
        LogSource(
            key="goal_change",
            label=GoalChange._meta.verbose_name,
            rows=goal_change_rows,
            entries=goal_change_entries,
            fields=(
                ("target", Goal._meta.get_field("target").verbose_name),
                ("stretch_target", Goal._meta.get_field("stretch_target").verbose_name),
            ),
        )
    )
