"""The monthly review lists the rep's alerts of the month with what was done about them;
reviews built before (figures without "alerts") still render."""

from datetime import date, timedelta

from reporting.alerts import services
from reporting.models import DeviationAction, DeviationActionKind
from reporting.reviews import services as reviews
from reporting.reviews.selectors import compute_figures

from .conftest import episode, today


def test_the_review_lists_the_months_alerts_with_their_actions(cast, client_for):
    rep, manager = cast["rep"], cast["manager"]
    month = today().replace(day=1)
    before = month - timedelta(days=1)
    during = episode(rep=rep, severity="red", opened_on=month, closed_on=None)
    services.add_note(episode=during, by=manager, text="Trade fair week.")
    services.give_task(episode=during, by=manager, text="Call the fair's leads", due=today())
    services.acknowledge(episode=during, by=manager)
    episode(rep=rep, opened_on=before - timedelta(days=40), closed_on=before)  # not this month
    episode(rep=cast["teammate"], opened_on=month)  # someone else's

    alerts = compute_figures(rep, month)["alerts"]

    assert [(a["id"], a["severity"], a["closed_on"]) for a in alerts] == [(during.pk, "red", None)]
    assert [(x["kind"], x["text"], x["by"], x["task_done"]) for x in alerts[0]["actions"]] == [
        ("note", "Trade fair week.", "Maria Manager", None),
        ("task", "Call the fair's leads", "Maria Manager", False),
        ("acknowledge", "", "Maria Manager", None),
    ]
    assert alerts[0]["subject"] == "Calls per rep per week"

    review = reviews.build_monthly_review(rep=rep, month=month)
    html = client_for(manager).get(f"/reviews/{review.pk}/").content.decode()
    assert 'id="alerts"' in html and "Trade fair week." in html
    assert "still open at month end" in html and "Call the fair&#x27;s leads" in html


def test_an_alert_closed_after_the_month_reads_as_open_at_its_end(cast):
    march = date(2025, 3, 1)
    late = episode(rep=cast["rep"], opened_on=date(2025, 3, 20), closed_on=date(2025, 4, 3))
    DeviationAction.objects.create(
        episode=late,
        kind=DeviationActionKind.NOTE,
        text="Seen.",
        by=cast["manager"],
        at="2025-03-21T09:00:00Z",
    )
    (alert,) = compute_figures(cast["rep"], march)["alerts"]
    assert (alert["opened_on"], alert["closed_on"], alert["actions"][0]["on"]) == (
        "2025-03-20",
        None,
        "2025-03-21",
    )


def test_a_review_built_before_alerts_had_actions_still_renders(cast, client_for):
    review = reviews.build_monthly_review(rep=cast["rep"], month=date(2025, 3, 1))
    figures = dict(review.figures)
    del figures["alerts"]
    review.figures = figures
    review.save(update_fields=["figures"])
    response = client_for(cast["manager"]).get(f"/reviews/{review.pk}/")
    assert response.status_code == 200
    assert 'id="alerts"' not in response.content.decode()
