"""Dashboards, funnel and company pages in the reader's language, charts included."""

import json

import pytest


def chart(response, chart_id: str) -> dict:
    page = response.content.decode()
    start = page.index(f'id="{chart_id}"')
    start = page.index(">", start) + 1
    return json.loads(page[start : page.index("</script>", start)])


def test_rep_dashboard_in_greek_with_charts_in_greek(cast, client_for):
    """Server-side chart labels are translated and the chart carries the locale, so
    Chart.js formats its ticks and tooltips as the page does."""
    response = client_for(cast["rep"]).get("/dashboard/", HTTP_ACCEPT_LANGUAGE="el")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Ο πίνακας ελέγχου μου" in page
    assert "Πιστωμένες πωλήσεις" in page
    trend = chart(response, "rep-trend-chart")
    assert trend["options"]["locale"] == "el"
    assert trend["data"]["labels"][-1].endswith("(μέχρι στιγμής)")
    assert trend["options"]["scales"]["y"]["title"]["text"] == "πλήθος"
    consistency = response.context["consistency_chart"]
    assert consistency["options"]["locale"] == "el"
    assert consistency["data"]["datasets"][0]["label"] == "Επίτευξη %"


def test_team_dashboard_in_indonesian(cast, client_for):
    response = client_for(cast["manager"]).get("/dashboard/team/", HTTP_ACCEPT_LANGUAGE="id")
    page = response.content.decode()
    assert "Rencana vs aktual" in page
    assert "Papan peringkat" in page
    assert response.context["trend_chart"]["options"]["locale"] == "id"


@pytest.mark.parametrize(
    ("language", "title"),
    [("id", "Funnel dan forecast"), ("fil", "Funnel at forecast"), ("el", "Funnel και πρόβλεψη")],
)
def test_funnel_page_in_each_language(cast, client_for, language, title):
    response = client_for(cast["manager"]).get("/funnel/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert f"<title>{title}" in response.content.decode()


def test_company_dashboard_in_filipino(cast, client_for):
    response = client_for(cast["admin"]).get("/company/", HTTP_ACCEPT_LANGUAGE="fil")
    page = response.content.decode()
    assert "Dashboard ng kumpanya" in page
    assert "Mga nangunguna at nahuhuling team" in page
    assert response.context["charts"]["years"]["data"]["datasets"][0]["label"] == (
        "Fiscal year hanggang ngayon"
    )
