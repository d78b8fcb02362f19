"""Reads of improvement plans, one definition each for pages, API, CSV and panels.

Every read starts from ``ImprovementPlan.objects.visible_to``; the next checkpoint and
the count of checkpoints still to do are computed by the database."""

from django.db.models import Count, Min, OuterRef, Prefetch, Q, Subquery

from coaching.models import ImprovementCheckpoint, ImprovementEvent, ImprovementPlan

OPEN_CHECKPOINT = Q(checkpoints__done_at__isnull=True)


def with_progress(plans):
    """Plans with ``next_checkpoint`` (the earliest due day not done, or None) and
    ``checkpoints_total`` / ``checkpoints_done``, and what that next checkpoint checks."""
    upcoming = ImprovementCheckpoint.objects.filter(
        plan=OuterRef("pk"), done_at__isnull=True
    ).order_by("due", "pk")
    return plans.annotate(
        next_checkpoint=Min("checkpoints__due", filter=OPEN_CHECKPOINT),
        next_checkpoint_what=Subquery(upcoming.values("what")[:1]),
        checkpoints_total=Count("checkpoints"),
        checkpoints_done=Count("checkpoints", filter=~OPEN_CHECKPOINT),
    )


def plan_rows(user):
    """The plans ``user`` sees, for lists: newest first, with their progress."""
    return with_progress(
        ImprovementPlan.objects.visible_to(user).select_related("rep__team", "manager")
    ).order_by("-starts_on", "-pk")


def plan_detail(user):
    """The plans ``user`` sees, with everything one plan's page and API body show."""
    return (
        ImprovementPlan.objects.visible_to(user)
        .select_related("rep__team", "manager", "miss", "review")
        .prefetch_related(
            "goals__metric",
            "sessions",
            "modules",
            Prefetch("checkpoints", queryset=ImprovementCheckpoint.objects.order_by("due", "pk")),
            Prefetch("events", queryset=ImprovementEvent.objects.select_related("by")),
        )
    )


def open_plans_of_team(user, team):
    """The open plans of ``team``'s reps that ``user`` sees, soonest end first."""
    return (
        with_progress(ImprovementPlan.objects.visible_to(user).open().filter(rep__team=team))
        .select_related("rep")
        .order_by("ends_on", "pk")
    )


def open_plans_of_rep(user, rep):
    return (
        with_progress(ImprovementPlan.objects.visible_to(user).open().filter(rep=rep))
        .select_related("manager")
        .order_by("ends_on", "pk")
    )
