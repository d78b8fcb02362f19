"""Choices for filters, scoped to the person asking (shared by pages and API).

A filter choice outside the caller's scope is "not a valid choice", exactly
like a value that does not exist, so filters never reveal what is hidden.
"""

from salesmgmt.models import Division, Team, User


def visible_reps(request):
    if request is None:
        return User.objects.none()
    return User.objects.visible_to(request.user).sales_reps()


def visible_people(request):
    if request is None:
        return User.objects.none()
    return User.objects.visible_to(request.user)


def visible_teams(request):
    if request is None:
        return Team.objects.none()
    return Team.objects.visible_to(request.user)


def visible_divisions(request):
    if request is None:
        return Division.objects.none()
    return Division.objects.filter(teams__in=Team.objects.visible_to(request.user)).distinct()
