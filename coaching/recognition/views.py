"""Recognition pages: the team feed, giving kudos, giving an award, one award, and a
manager's suggestions.

Reads go through ``Kudos/Award.objects.visible_to`` (anything else is a 404); an
award's amount shows only where ``value_shown`` says so. Writes go through
coaching.recognition.services. Recognition is never written on a coaching or review
form: the review page links here with the recipient filled in.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from coaching.models import RecognitionSuggestion, SuggestionReason
from coaching.recognition import selectors
from coaching.recognition import services as recognition
from coaching.recognition.forms import AwardForm, FeedFilterForm, KudosForm
from salesmgmt.csv_export import csv_response
from salesmgmt.errors import RuleViolation
from salesmgmt.filtering import lookup_response
from salesmgmt.models import CompanySettings, User
from salesmgmt.web import apply_rule_errors, paginate, query_without_page


def feed(request):
    """Kudos and awards of the people one sees and of one's team, newest first."""
    user = request.user
    form = FeedFilterForm(request.GET or None, user=user)
    chosen = form.cleaned_data if form.is_bound and form.is_valid() else {}
    kudos, awards = selectors.filter_feed(
        selectors.kudos_for(user),
        selectors.awards_for(user),
        team=chosen.get("team"),
        person=chosen.get("person"),
        kind=chosen.get("kind") or "",
    )
    keys = selectors.feed_keys(kudos, awards)
    currency = CompanySettings.load().currency
    if request.GET.get("export") == "csv":
        return _feed_csv(keys, kudos, awards, currency)
    page = paginate(request, keys, per_page=30)
    page.object_list = selectors.feed_items(page.object_list, kudos, awards)
    return render(
        request,
        "coaching/recognition/feed.html",
        {
            "filter": {"form": form},
            "page": page,
            "query": query_without_page(request),
            "currency": currency,
            "pending": selectors.pending_suggestions(user).count() if user.reviews_plans else 0,
        },
    )


def _feed_csv(keys, kudos, awards, currency):
    def rows():
        # A page of keys at a time: two queries per 500 rows, never every row at once.
        chunk = 500
        start = 0
        while True:
            items = selectors.feed_items(keys[start : start + chunk], kudos, awards)
            if not items:
                return
            for item in items:
                if item.feed_type == selectors.KUDOS:
                    yield [
                        item.created_at.isoformat(),
                        pgettext("recognition kind", "Kudos"),
                        item.giver or "",
                        item.recipient,
                        item.recipient.team or "",
                        item.message,
                        "",
                        "",
                    ]
                else:
                    yield [
                        item.created_at.isoformat(),
                        item.get_kind_display(),
                        item.given_by,
                        item.recipient,
                        item.recipient.team or "",
                        item.reason,
                        item.value if item.value_shown and item.value is not None else "",
                        item.value_text,
                    ]
            start += chunk

    return csv_response(
        "recognition.csv",
        # Column names in the reader's language; cells stay machine-readable.
        [
            pgettext("CSV column", "at"),
            pgettext("CSV column", "kind"),
            pgettext("CSV column", "from"),
            pgettext("CSV column", "to"),
            pgettext("CSV column", "team"),
            pgettext("CSV column", "message"),
            pgettext("CSV column", "value_%(currency)s") % {"currency": currency},
            pgettext("CSV column", "value_text"),
        ],
        rows(),
    )


def people_lookup(request):
    """GET ?q=...: active colleagues by name (anyone may thank anyone)."""
    people = User.objects.filter(is_active=True).order_by("first_name", "last_name", "pk")
    return lookup_response(
        people.select_related("team"),
        request.GET.get("q", ""),
        ("first_name", "last_name", "username"),
        label=lambda u: f"{u.get_full_name() or u.username}{f' ({u.team})' if u.team_id else ''}",
    )


def _prefill(request, user) -> tuple[dict, RecognitionSuggestion | None]:
    """Initial values from the query string (the review page's and a suggestion's links);
    a pending suggestion of the user's fills in its rep and win."""
    initial = {}
    for name in ("recipient", "deal", "goal", "kpi", "suggestion", "review"):
        value = request.GET.get(name, "")
        if value.isascii() and value.isdigit():
            initial[name] = int(value)
    suggestion = (
        RecognitionSuggestion.objects.visible_to(user)
        .pending()
        .filter(pk=initial.get("suggestion"))
        .first()
        if "suggestion" in initial
        else None
    )
    if suggestion is not None:
        initial.update(
            recipient=suggestion.rep_id,
            deal=suggestion.deal_id,
            goal=suggestion.goal_id,
            kpi=suggestion.kpi_id,
        )
    return initial, suggestion


def _posted_suggestion(form) -> RecognitionSuggestion | None:
    """The suggestion a posted form answers (shown again above the form with its errors)."""
    return getattr(form, "cleaned_data", {}).get("suggestion")


def _links(data: dict) -> dict:
    return {name: data.get(name) for name in ("deal", "goal", "kpi", "suggestion")}


def kudos_new(request):
    user = request.user
    if request.method == "POST":
        form = KudosForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                kudos = recognition.give_kudos(
                    giver=user,
                    recipient=data["recipient"],
                    message=data["message"],
                    review=data["review"],
                    **_links(data),
                )
            except RuleViolation as exc:
                apply_rule_errors(form, exc)
            else:
                messages.success(request, _("Kudos sent to %(name)s.") % {"name": kudos.recipient})
                if kudos.review_id:  # back to the review it was given from
                    review_url = reverse("reviews:detail", args=[kudos.review_id])
                    return redirect(f"{review_url}#recognition")
                return redirect(reverse("recognition:feed") + f"#kudos-{kudos.pk}")
        suggestion, status = _posted_suggestion(form), 400
    else:
        initial, suggestion = _prefill(request, user)
        form = KudosForm(initial=initial, user=user)
        status = 200
    return render(
        request,
        "coaching/recognition/kudos_form.html",
        {"form": form, "suggestion": suggestion},
        status=status,
    )


def award_new(request):
    user = request.user
    if not user.reviews_plans:
        raise Http404
    company = CompanySettings.load()
    if request.method == "POST":
        form = AwardForm(request.POST, user=user, currency=company.currency)
        if form.is_valid():
            data = form.cleaned_data
            try:
                award = recognition.give_award(
                    by=user,
                    recipient=data["recipient"],
                    kind=data["kind"],
                    value=data["value"],
                    value_text=data["value_text"],
                    reason=data["reason"],
                    given_on=data["given_on"],
                    **_links(data),
                )
            except RuleViolation as exc:
                apply_rule_errors(form, exc)
            else:
                if award.adjustment_id:
                    done = _("Award given to %(name)s. It is on the commission statement.")
                else:
                    done = _("Award given to %(name)s.")
                messages.success(request, done % {"name": award.recipient})
                return redirect("recognition:award", pk=award.pk)
        suggestion, status = _posted_suggestion(form), 400
    else:
        initial, suggestion = _prefill(request, user)
        initial["given_on"] = company.today()
        form = AwardForm(initial=initial, user=user, currency=company.currency)
        status = 200
    return render(
        request,
        "coaching/recognition/award_form.html",
        {
            "form": form,
            "currency": company.currency,
            "suggestion": suggestion,
        },
        status=status,
    )


def award_detail(request, pk):
    award = get_object_or_404(selectors.awards_for(request.user), pk=pk)
    statement = None
    if award.adjustment_id and award.value_shown:
        statement = award.adjustment.rep.commission_statements.filter(
            month=award.adjustment.month
        ).first()
    return render(
        request,
        "coaching/recognition/award_detail.html",
        {
            "award": award,
            "statement": statement,
            "currency": CompanySettings.load().currency,
        },
    )


def suggestions(request):
    """A manager's nudges: wins worth recognising, to act on (kudos, award) or dismiss."""
    if not request.user.reviews_plans:
        raise Http404
    qs = selectors.pending_suggestions(request.user)
    reason = request.GET.get("reason", "")
    if reason in SuggestionReason.values:
        qs = qs.filter(reason=reason)
    return render(
        request,
        "coaching/recognition/suggestions.html",
        {
            "page": paginate(request, qs, per_page=30),
            "query": query_without_page(request),
            "reasons": SuggestionReason.choices,
            "reason": reason,
        },
    )


@require_POST
def suggestion_dismiss(request, pk):
    suggestion = get_object_or_404(RecognitionSuggestion.objects.visible_to(request.user), pk=pk)
    try:
        recognition.dismiss_suggestion(suggestion=suggestion, by=request.user)
    except (RuleViolation, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request, _("Suggestion for %(name)s dismissed.") % {"name": suggestion.rep}
        )
    return redirect("recognition:suggestions")
