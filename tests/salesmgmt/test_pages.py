"""Site-wide pages: login and its guards, health check, profile and API tokens,
teams and their focus metrics, password reset and login lockout."""

import re

import pytest
from django.contrib.messages import get_messages
from django.core import mail
from django.urls import reverse

from activities.models import Metric
from salesmgmt.models import ApiToken, CompanySettings
from salesmgmt.org.services import create_api_token, hash_key
from tests.factories import WeeklyPlanFactory, this_week

PASSWORD = "correct-horse-battery"  # what UserFactory gives everyone


def flash(response) -> list[tuple[str, str]]:
    return [(m.level_tag, m.message) for m in get_messages(response.wsgi_request)]


# --- Login and the login guard ---------------------------------------------------


def test_login_page_renders_for_anonymous_visitor(client, db):
    page = client.get(reverse("login"))

    assert page.status_code == 200
    assert page.templates[0].name == "registration/login.html"
    assert set(page.context["form"].fields) == {"username", "password"}


@pytest.fixture
def anonymous_urls(rep, team):
    plan = WeeklyPlanFactory(rep=rep)
    return [
        ("get", reverse("home")),
        ("get", reverse("profile")),
        ("post", reverse("token_create")),
        ("post", reverse("token_revoke", args=[1])),
        ("get", reverse("team_list")),
        ("get", reverse("team_focus", args=[team.pk])),
        ("get", reverse("plans:list")),
        ("get", reverse("plans:team_week")),
        ("get", reverse("plans:my_week")),
        ("get", reverse("plans:for_week", args=[this_week()])),
        ("get", reverse("plans:detail", args=[plan.pk])),
        ("get", reverse("plans:edit", args=[plan.pk])),
        ("post", reverse("plans:submit", args=[plan.pk])),
        ("post", reverse("plans:review", args=[plan.pk])),
        ("post", reverse("plans:note", args=[plan.pk])),
        ("get", reverse("activities:list")),
        ("get", reverse("activities:log")),
        ("get", reverse("password_change")),
    ]


def test_every_page_redirects_anonymous_visitor_to_login(client, anonymous_urls):
    outcomes = {}
    for method, url in anonymous_urls:
        response = getattr(client, method)(url)
        outcomes[url] = (response.status_code, response.get("Location"))

    assert outcomes == {url: (302, f"{reverse('login')}?next={url}") for _, url in anonymous_urls}


def test_healthz_answers_without_login(client, db, settings):
    settings.REDIS_URL = ""

    response = client.get(reverse("healthz"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "not configured"},
    }


# --- Profile and API tokens --------------------------------------------------------


def test_new_api_token_key_is_shown_once_then_gone(client_for, rep):
    client = client_for(rep)

    response = client.post(reverse("token_create"), {"name": "Dialer"})
    first = client.get(reverse("profile"))
    second = client.get(reverse("profile"))

    assert response.status_code == 302
    assert response["Location"] == reverse("profile")
    token = ApiToken.objects.get(user=rep)
    key = first.context["new_key"]["key"]
    assert first.context["new_key"]["name"] == "Dialer"
    assert hash_key(key) == token.key_hash
    assert token.prefix == key[:8]
    assert key in first.content.decode()
    assert second.context["new_key"] is None
    assert key not in second.content.decode()
    assert token.prefix in second.content.decode()


def test_revoked_token_is_listed_as_revoked(client_for, rep):
    token, _ = create_api_token(user=rep, name="Dialer")
    client = client_for(rep)

    response = client.post(reverse("token_revoke", args=[token.pk]))
    profile = client.get(reverse("profile"))

    token.refresh_from_db()
    assert response.status_code == 302
    assert token.revoked_at is not None
    assert flash(response) == [("success", "Token “Dialer” revoked; it no longer works.")]
    assert "revoked " in profile.content.decode()
    assert reverse("token_revoke", args=[token.pk]) not in profile.content.decode()


def test_another_users_token_cannot_be_revoked(client_for, rep, teammate):
    token, _ = create_api_token(user=teammate, name="Teammate's dialer")

    response = client_for(rep).post(reverse("token_revoke", args=[token.pk]))

    token.refresh_from_db()
    assert response.status_code == 404
    assert token.revoked_at is None


# --- Teams and focus metrics --------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "teams"),
    [
        ("rep", ["Alpha"]),
        ("other_team_rep", ["Beta"]),
        ("south_rep", ["Gamma"]),
        ("manager", ["Alpha"]),
        ("other_manager", ["Beta"]),
        ("south_manager", ["Gamma"]),
        ("director", ["Alpha", "Beta"]),
        ("admin", ["Alpha", "Beta", "Gamma"]),
    ],
)
def test_team_list_shows_only_visible_teams(client_for, cast, role, teams):
    page = client_for(cast[role]).get(reverse("team_list"))

    assert page.status_code == 200
    assert [t.name for t in page.context["teams"]] == teams


def test_manager_saves_team_focus_metrics(client_for, manager, team):
    chosen = list(Metric.objects.filter(key__in=["calls", "meetings", "proposals"]))

    response = client_for(manager).post(
        reverse("team_focus", args=[team.pk]), {"metrics": [m.pk for m in chosen]}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("team_list")
    assert set(team.focus_metrics.values_list("key", flat=True)) == {
        "calls",
        "meetings",
        "proposals",
    }
    assert flash(response) == [("success", "Focus metrics for Alpha saved.")]


def test_picking_seven_focus_metrics_saves_with_a_gentle_warning(client_for, manager, team):
    seven = list(Metric.objects.order_by("position")[:7])

    response = client_for(manager).post(
        reverse("team_focus", args=[team.pk]), {"metrics": [m.pk for m in seven]}
    )

    assert response.status_code == 302
    assert team.focus_metrics.count() == 7
    assert flash(response) == [
        ("success", "Focus metrics for Alpha saved."),
        (
            "warning",
            "Alpha now focuses on 7 metrics. Reps do their best work on a few; "
            "consider 6 or fewer.",
        ),
    ]


def test_picking_no_focus_metric_is_a_form_error(client_for, manager, team):
    calls = Metric.objects.get(key="calls")
    team.focus_metrics.set([calls])

    # A browser always sends the CSRF field, even with every box unticked.
    response = client_for(manager).post(
        reverse("team_focus", args=[team.pk]), {"csrfmiddlewaretoken": "token"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "metrics": ["Pick at least one metric for the team to focus on."]
    }
    assert "Pick at least one metric for the team to focus on." in response.content.decode()
    assert list(team.focus_metrics.all()) == [calls]


@pytest.mark.parametrize("role", ["other_manager", "rep"])
def test_focus_metrics_of_a_team_not_managed_is_404(client_for, cast, team, role):
    calls = Metric.objects.get(key="calls")
    client = client_for(cast[role])

    page = client.get(reverse("team_focus", args=[team.pk]))
    post = client.post(reverse("team_focus", args=[team.pk]), {"metrics": [calls.pk]})

    assert page.status_code == 404
    assert post.status_code == 404
    assert team.focus_metrics.count() == 0


# --- Password reset and lockout -------------------------------------------------------


def test_password_reset_sends_an_email_with_a_working_link(client, rep):
    response = client.post(reverse("password_reset"), {"email": "rep@example.com"})

    assert response.status_code == 302
    assert response["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["rep@example.com"]
    assert message.subject == "Reset your Salesmgmt password"
    link = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/\S+/)", message.body).group(1)
    landing = client.get(link, follow=True)
    assert landing.status_code == 200
    assert landing.context["validlink"] is True


def test_password_reset_for_unknown_address_sends_nothing(client, rep):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert mail.outbox == []


def test_five_wrong_passwords_lock_the_login_even_for_the_right_password(client, rep):
    wrong = [
        client.post(reverse("login"), {"username": "rep", "password": f"wrong-{n}"})
        for n in range(5)
    ]
    right = client.post(reverse("login"), {"username": "rep", "password": PASSWORD})

    # Four plain failures re-show the form; the fifth trips django-axes.
    assert [r.status_code for r in wrong] == [200, 200, 200, 200, 429]
    assert right.status_code == 429
    assert "registration/locked_out.html" in [t.name for t in right.templates]
    assert "Too many failed attempts" in right.content.decode()
    assert "_auth_user_id" not in client.session


def test_right_password_before_the_limit_logs_in(client, rep):
    for n in range(4):
        client.post(reverse("login"), {"username": "rep", "password": f"wrong-{n}"})

    response = client.post(reverse("login"), {"username": "rep", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")
    assert client.session["_auth_user_id"] == str(rep.pk)


def test_the_top_bar_and_titles_name_the_company_from_its_settings(client_for, rep):
    company = CompanySettings.load()
    company.name = "Harbour Traders"
    company.save()

    page = client_for(rep).get(reverse("tasks:my_day")).content.decode()

    assert (
        'class="brand" title="Harbour Traders on Salesmgmt"><strong>Harbour Traders</strong>'
        in (page)
    )
    assert "· Harbour Traders</title>" in page
