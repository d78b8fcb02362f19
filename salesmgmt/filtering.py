"""Choices for filters, scoped to the person asking (shared by pages and API)."""

from .models import Team, User


def visible_reps(request):
    if request is None:
        return User.objects.none()
    return User.objects.visible_to(request.user).filter(role="rep")


def visible_teams(request):
    if request is None:
        return Team.objects.none()
    return Team.objects.visible_to(request.user)
