"""Pages of the organisation: one's profile and API tokens, the teams and their focus metrics."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from salesmgmt.calendar_feeds.selectors import feed_of, feed_url
from salesmgmt.filtering import lookup_response
from salesmgmt.i18n import language_for_request
from salesmgmt.models import CompanySettings, Team, User
from salesmgmt.org import services
from salesmgmt.org.forms import FocusMetricsForm, ProfileForm, TokenForm


def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    feed = feed_of(request.user)
    active = feed is not None and feed.is_active
    if request.method == "POST" and form.is_valid():
        form.save()
        # Said in the language just chosen, as the next page will be.
        translation.activate(language_for_request(request))
        messages.success(request, _("Profile saved."))
        return redirect("profile")
    return render(
        request,
        "salesmgmt/org/profile.html",
        {
            "form": form,
            "token_form": TokenForm(),
            "tokens": request.user.api_tokens.all(),
            "new_key": request.session.pop("new_token_key", None),
            "calendar_feed": feed,
            "calendar_feed_url": feed_url(feed) if active else "",
            "calendar_feed_webcal_url": feed_url(feed, webcal=True) if active else "",
        },
    )


@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the token a name."))
        return redirect("profile")
    token, key = services.create_api_token(user=request.user, name=form.cleaned_data["name"])
    # Shown once on the next page, then gone: only the hash is stored.
    request.session["new_token_key"] = {"name": token.name, "key": key}
    return redirect("profile")


@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(request.user.api_tokens.active(), pk=pk)
    services.revoke_api_token(token=token, by=request.user)
    messages.success(
        request, _("Token “%(name)s” revoked; it no longer works.") % {"name": token.name}
    )
    return redirect("profile")


def team_list(request):
    teams = (
        Team.objects.visible_to(request.user)
        .select_related("division", "manager")
        .prefetch_related("focus_metrics")
    )
    managed = set(Team.objects.managed_by(request.user).values_list("pk", flat=True))
    return render(request, "salesmgmt/org/team_list.html", {"teams": teams, "managed": managed})


def team_focus(request, pk):
    team = get_object_or_404(Team.objects.managed_by(request.user), pk=pk)
    form = FocusMetricsForm(request.POST or None, initial={"metrics": team.focus_metrics.all()})
    if request.method == "POST" and form.is_valid():
        too_many = services.set_focus_metrics(
            team=team, metrics=form.cleaned_data["metrics"], by=request.user
        )
        messages.success(request, _("Focus metrics for %(team)s saved.") % {"team": team})
        if too_many:
            limit = CompanySettings.load().focus_metric_warning
            count = len(form.cleaned_data["metrics"])
            messages.warning(
                request,
                ngettext(
                    "%(team)s now focuses on %(count)s metric. Reps do their best work on a "
                    "few; consider %(limit)s or fewer.",
                    "%(team)s now focuses on %(count)s metrics. Reps do their best work on a "
                    "few; consider %(limit)s or fewer.",
                    count,
                )
                % {"team": team, "count": count, "limit": limit},
            )
        return redirect("team_list")
    return render(request, "salesmgmt/org/team_focus.html", {"team": team, "form": form})


def people_lookup(request):
    """GET ?q=...[&role=rep]: people the viewer may see whose name or username matches
    (the search box of every person filter)."""
    people = User.objects.visible_to(request.user).order_by("first_name", "last_name", "pk")
    if request.GET.get("role") == "rep":
        people = people.sales_reps()
    return lookup_response(
        people,
        request.GET.get("q", ""),
        ("first_name", "last_name", "username"),
        label=lambda u: u.get_full_name() or u.username,
    )
