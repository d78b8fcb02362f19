"""Training pages: the catalogue (filters, CSV, writing it), a rep's own training and
completing it, the assign form, one assignment (confirm, reopen), the team matrix with
its exact cells and CSV, and query counts that do not grow with reps and modules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coaching.models import AssignmentSource, TrainingAssignment, TrainingModule
from salesmgmt.models import Role
from tests.coaching.training.conftest import days, make_assignment, make_module
from tests.factories import TeamFactory, UserFactory


def _csv(response) -> list[str]:
    return b"".join(response.streaming_content).decode().splitlines()


# --- The catalogue ------------------------------------------------------------------------------


def test_catalogue_lists_modules_with_counts_for_the_manager(catalogue, cast, client_for):
    """Counts are of the manager's reps only: the other team's overdue one is not theirs."""
    make_assignment(catalogue["competition"], cast["rep"], due=days(-2))
    make_assignment(catalogue["competition"], cast["teammate"], due=days(5))
    make_assignment(catalogue["competition"], cast["other_team_rep"], due=days(-2))
    page = client_for(cast["manager"]).get(reverse("training:modules"))

    rows = {m.title: m for m in page.context["page"]}
    competition = rows["Competitive intelligence"]
    assert (competition.open_count, competition.overdue_count, competition.done_count) == (2, 1, 0)
    assert b"New module" in page.content


def test_catalogue_filters_and_exports(catalogue, cast, client_for):
    client = client_for(cast["rep"])
    listed = client.get(reverse("training:modules"), {"onboarding": "true"}).context["page"]
    assert [m.title for m in listed] == ["Welcome"]

    lines = _csv(client.get(reverse("training:modules"), {"export": "csv"}))
    assert lines[0] == "title,topic,duration_minutes,recurrence_months,onboarding,active"
    assert "Product knowledge,,60,3,no,yes" in lines


def test_manager_adds_and_edits_a_module(cast, client_for, catalogue):
    client = client_for(cast["manager"])
    data = {
        "title": "Negotiation",
        "material_url": "https://example.com/negotiation",
        "material_text": "",
        "duration_minutes": 90,
        "recurrence_months": "",
        "onboarding_due_days": 30,
        "active": "on",
    }
    response = client.post(reverse("training:module_create"), data)
    module = TrainingModule.objects.get(title="Negotiation")
    assert response.status_code == 302
    assert (module.duration_minutes, module.recurrence_months, module.active) == (90, None, True)

    data |= {"title": "Negotiation II", "recurrence_months": 6}
    client.post(reverse("training:module_edit", args=[module.pk]), data)
    module.refresh_from_db()
    assert (module.title, module.recurrence_months) == ("Negotiation II", 6)


def test_module_form_shows_the_rules_next_to_the_fields(cast, client_for, catalogue):
    response = client_for(cast["manager"]).post(
        reverse("training:module_create"),
        {"title": "product knowledge", "duration_minutes": 1, "onboarding_due_days": 30},
    )
    form = response.context["form"]
    assert response.status_code == 200
    assert "duration_minutes" in form.errors  # at least 5 minutes
    assert not TrainingModule.objects.filter(title="product knowledge").exists()

    response = client_for(cast["manager"]).post(
        reverse("training:module_create"),
        {"title": "product knowledge", "duration_minutes": 30, "onboarding_due_days": 30},
    )
    errors = response.context["form"].errors
    assert errors["title"] == ["A module with this title exists already."]
    assert errors["material_text"] == ["Give a link to the material or the material itself."]


def test_module_page_shows_material_and_scoped_assignments(catalogue, cast, client_for):
    module = catalogue["competition"]
    make_assignment(module, cast["rep"], due=days(3))
    make_assignment(module, cast["other_team_rep"], due=days(3))

    for who, seen in (("rep", {"rep"}), ("manager", {"rep"}), ("director", {"rep", "other_rep"})):
        page = client_for(cast[who]).get(reverse("training:module", args=[module.pk]))
        assert {a.rep.username for a in page.context["page"]} == seen
        assert b"Read about Competitive intelligence." in page.content


# --- My training --------------------------------------------------------------------------------


def test_my_training_sections(catalogue, cast, client_for):
    overdue = make_assignment(catalogue["competition"], cast["rep"], due=days(-1))
    due = make_assignment(catalogue["product"], cast["rep"], due=days(4))
    done = make_assignment(catalogue["welcome"], cast["rep"], due=days(-9), done=True, score=77)
    make_assignment(catalogue["product"], cast["teammate"], due=days(-3))

    page = client_for(cast["rep"]).get(reverse("training:mine"))

    assert page.context["overdue"] == [overdue]
    assert page.context["due"] == [due]
    assert page.context["done"] == [done]
    assert b"Mark done" in page.content


def test_manager_opens_a_reps_training_but_not_outside_scope(catalogue, cast, client_for):
    make_assignment(catalogue["competition"], cast["rep"], due=days(2))
    client = client_for(cast["manager"])
    assert client.get(reverse("training:mine"), {"rep": cast["rep"].pk}).status_code == 200
    assert client.get(reverse("training:mine"), {"rep": cast["south_rep"].pk}).status_code == 404
    assert client.get(reverse("training:mine"), {"rep": "x"}).status_code == 404


def test_rep_completes_from_the_page_with_score(catalogue, cast, client_for):
    assignment = make_assignment(catalogue["product"], cast["rep"], due=days(2))
    response = client_for(cast["rep"]).post(
        reverse("training:complete", args=[assignment.pk]),
        {"version": 1, "score": 91, "note": "Easy", "next": "mine"},
    )
    assignment.refresh_from_db()
    assert response.status_code == 302 and response.url == reverse("training:mine")
    assert (assignment.score, assignment.rep_note) == (91, "Easy")
    assert TrainingAssignment.objects.open().get(rep=cast["rep"]).source == "recurrence"


def test_a_bad_score_is_a_field_error_and_nothing_is_saved(catalogue, cast, client_for):
    assignment = make_assignment(catalogue["product"], cast["rep"], due=days(2))
    response = client_for(cast["rep"]).post(
        reverse("training:complete", args=[assignment.pk]), {"version": 1, "score": 140}
    )
    assert response.status_code == 400
    assert response.context["complete_form"].errors["score"]
    assert b'value="140"' in response.content  # what was typed stays
    assignment.refresh_from_db()
    assert assignment.completed_at is None


def test_completing_from_a_stale_page_says_so(catalogue, cast, client_for):
    assignment = make_assignment(catalogue["product"], cast["rep"], due=days(2), version=2)
    response = client_for(cast["rep"]).post(
        reverse("training:complete", args=[assignment.pk]), {"version": 1}
    )
    assert response.status_code == 400
    assert "changed by someone else" in str(response.context["complete_form"].non_field_errors())


# --- One assignment -----------------------------------------------------------------------------


def test_manager_confirms_then_the_page_says_so(catalogue, cast, client_for):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(2), done=True)
    client = client_for(cast["manager"])
    assert (
        b"Confirm completion"
        in client.get(reverse("training:assignment", args=[assignment.pk])).content
    )

    client.post(reverse("training:confirm", args=[assignment.pk]), {"version": 1})

    assignment.refresh_from_db()
    assert assignment.confirmed_by == cast["manager"]
    page = client.get(reverse("training:assignment", args=[assignment.pk]))
    assert b"Confirm completion" not in page.content
    assert b"by Maria Manager" in page.content


def test_manager_reopens_an_unconfirmed_completion(catalogue, cast, client_for):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(2), done=True)
    client_for(cast["manager"]).post(
        reverse("training:reopen", args=[assignment.pk]), {"version": 1}
    )
    assignment.refresh_from_db()
    assert assignment.completed_at is None


def test_rep_cannot_confirm_their_own(catalogue, cast, client_for):
    assignment = make_assignment(catalogue["competition"], cast["rep"], due=days(2), done=True)
    response = client_for(cast["rep"]).post(
        reverse("training:confirm", args=[assignment.pk]), {"version": 1}
    )
    assert response.status_code == 403
    assignment.refresh_from_db()
    assert assignment.confirmed_at is None


# --- Assigning ----------------------------------------------------------------------------------


def test_assign_the_whole_team_reports_who_was_skipped(catalogue, cast, team, client_for):
    make_assignment(catalogue["competition"], cast["rep"], due=days(3))
    response = client_for(cast["manager"]).post(
        reverse("training:assign"),
        {"team": team.pk, "module": catalogue["competition"].pk, "due": days(14).isoformat()},
        follow=True,
    )
    text = response.content.decode()
    assert "assigned to 1 rep." in text
    assert "Skipped (already hold it open): Rita Rep" in text
    teammate = TrainingAssignment.objects.get(rep=cast["teammate"])
    assert (teammate.due, teammate.source) == (days(14), AssignmentSource.TEAM)


def test_assign_some_reps_of_the_team(catalogue, cast, team, client_for):
    client_for(cast["manager"]).post(
        reverse("training:assign"),
        {
            "team": team.pk,
            "module": catalogue["product"].pk,
            "due": days(7).isoformat(),
            "reps": [cast["teammate"].pk],
        },
    )
    assert list(TrainingAssignment.objects.values_list("rep__username", "source")) == [
        ("teammate", AssignmentSource.MANUAL)
    ]


def test_assign_form_errors_keep_the_input(catalogue, cast, team, client_for):
    response = client_for(cast["manager"]).post(
        reverse("training:assign"),
        {"team": team.pk, "module": catalogue["product"].pk, "due": days(-3).isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["due"] == ["The due date has passed already."]
    assert not TrainingAssignment.objects.exists()


def test_assign_to_a_team_one_does_not_manage_is_404(catalogue, cast, other_team, client_for):
    response = client_for(cast["manager"]).post(
        reverse("training:assign"),
        {"team": other_team.pk, "module": catalogue["product"].pk, "due": days(3).isoformat()},
    )
    assert response.status_code == 404
    assert not TrainingAssignment.objects.exists()


def test_assign_form_lists_only_the_chosen_teams_reps(catalogue, cast, team, client_for):
    form = (
        client_for(cast["director"])
        .get(reverse("training:assign"), {"team": team.pk})
        .context["form"]
    )
    assert {r.username for r in form.fields["reps"].queryset} == {"rep", "teammate"}


# --- The matrix ---------------------------------------------------------------------------------


@pytest.fixture
def matrix_data(catalogue, cast):
    """Rita: product overdue, competition done (confirmed), welcome due.
    Tom: product done (unconfirmed) and its next round due; nothing else."""
    rep, teammate, manager = cast["rep"], cast["teammate"], cast["manager"]
    make_assignment(catalogue["product"], rep, due=days(-4))
    make_assignment(catalogue["competition"], rep, due=days(-30), confirmed_by=manager)
    make_assignment(catalogue["welcome"], rep, due=days(6))
    make_assignment(catalogue["product"], teammate, due=days(-60), done=True)
    make_assignment(catalogue["product"], teammate, due=days(30))
    make_assignment(catalogue["competition"], cast["other_team_rep"], due=days(-1))
    return catalogue


def test_matrix_cells_are_exact(matrix_data, cast, client_for):
    page = client_for(cast["manager"]).get(reverse("training:matrix"))
    grid = page.context["grid"]

    assert [m.title for m in grid.modules] == [
        "Competitive intelligence",
        "Product knowledge",
        "Welcome",
    ]
    cells = {rep.username: [(c.status, c.due) for c in row] for rep, row in grid.rows}
    assert cells == {
        "rep": [("done", None), ("overdue", days(-4)), ("due", days(6))],
        "teammate": [("none", None), ("due", days(30)), ("none", None)],
    }
    assert grid.rows[0][1][0].confirmed is True
    assert page.context["counts"] == {"done": 1, "due": 2, "overdue": 1}


def test_matrix_csv_is_exact(matrix_data, cast, team, client_for):
    client = client_for(cast["manager"])
    lines = _csv(client.get(reverse("training:matrix_csv"), {"team": team.pk}))
    assert lines == [
        "rep,Competitive intelligence,Product knowledge,Welcome",
        f"Rita Rep,done,overdue since {days(-4):%Y-%m-%d},due {days(6):%Y-%m-%d}",
        f"Tom Teammate,,due {days(30):%Y-%m-%d},",
    ]
    assert _csv(client.get(reverse("training:matrix"), {"team": team.pk, "format": "csv"})) == lines


def test_matrix_team_switcher_and_scope(matrix_data, cast, team, other_team, client_for):
    director = client_for(cast["director"])
    page = director.get(reverse("training:matrix"), {"team": other_team.pk})
    assert [rep.username for rep, _ in page.context["grid"].rows] == ["other_rep"]
    assert (
        client_for(cast["manager"])
        .get(reverse("training:matrix"), {"team": other_team.pk})
        .status_code
        == 404
    )


def _team_with(manager, reps: int, modules: int):
    team = TeamFactory(manager=manager)
    members = [UserFactory(team=team) for _ in range(reps)]
    for n in range(modules):
        module = make_module(f"{team.name} module {n}")
        for i, rep in enumerate(members):
            make_assignment(module, rep, due=days(i - 3), done=bool(i % 3 == 0))
    return team, members


@pytest.mark.parametrize(
    "url",
    ["training:matrix", "training:modules", "training:mine", "training:assign"],
)
def test_query_counts_do_not_grow_with_reps_and_modules(db, url, client_for):
    counts = []
    for reps, modules in ((2, 2), (12, 8)):
        boss = UserFactory(role=Role.ADMIN, is_superuser=True)
        team, members = _team_with(boss, reps, modules)
        query = {"team": team.pk}
        if url == "training:mine":
            query = {"rep": members[0].pk}
        client = client_for(boss)
        client.get(reverse(url), query)  # warm the session and settings caches
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse(url), query).status_code == 200
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    assert counts[0] <= 12


def test_assignment_page_query_count(catalogue, cast, client_for, django_assert_max_num_queries):
    assignment = make_assignment(catalogue["product"], cast["rep"], due=days(2), done=True)
    client = client_for(cast["manager"])
    client.get(reverse("training:assignment", args=[assignment.pk]))
    with django_assert_max_num_queries(8):
        client.get(reverse("training:assignment", args=[assignment.pk]))


def test_nothing_to_show_without_teams(db, client_for):
    lonely = UserFactory(role=Role.MANAGER)
    client = client_for(lonely)
    assert b"You do not manage a team yet" in client.get(reverse("training:matrix")).content
    assert b"You do not manage a team yet" in client.get(reverse("training:assign")).content


def test_admin_lists_modules_and_assignments(catalogue, cast, client_for):
    make_assignment(catalogue["product"], cast["rep"], due=days(2))
    client = client_for(cast["admin"])
    assert client.get("/admin/coaching/trainingmodule/").status_code == 200
    page = client.get("/admin/coaching/trainingassignment/")
    assert page.status_code == 200
    assert b"Rita Rep" in page.content


def test_admin_shows_an_assignment_read_only(catalogue, cast, client_for):
    """The admin looks an assignment up but cannot add, change or delete one (the
    services keep the version, recurrence and notices): a POST changes nothing."""
    assignment = make_assignment(catalogue["product"], cast["rep"], due=days(2))
    client = client_for(cast["admin"])
    url = f"/admin/coaching/trainingassignment/{assignment.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert client.post(url, {"due": days(30).isoformat(), "score": 99}).status_code == 403
    assert client.get("/admin/coaching/trainingassignment/add/").status_code == 403
    delete = f"/admin/coaching/trainingassignment/{assignment.pk}/delete/"
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assignment.refresh_from_db()
    assert (assignment.due, assignment.score, assignment.version) == (days(2), None, 1)


def test_my_training_csv_costs_the_same_queries_for_more_rows(cast, client_for):
    """The rep's CSV export reads each row's rep with the row: two assignments or eight,
    the same number of queries."""
    client = client_for(cast["rep"])

    def export_queries() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            lines = _csv(client.get(reverse("training:mine"), {"export": "csv"}))
        return len(queries), len(lines)

    for i in range(2):
        make_assignment(make_module(f"Module {i}"), cast["rep"], due=days(i - 1))
    few, rows = export_queries()
    assert rows == 3
    for i in range(2, 8):
        make_assignment(make_module(f"Module {i}"), cast["rep"], due=days(i - 1), done=i % 2)
    more, rows = export_queries()
    assert rows == 9
    assert more == few


def test_matrix_csv_header_is_formula_safe(cast, team, client_for):
    module = make_module("=HYPERLINK(1)")
    make_assignment(module, cast["rep"], due=days(3))
    lines = _csv(client_for(cast["manager"]).get(reverse("training:matrix_csv")))
    assert lines[0].startswith("rep,'=HYPERLINK(1)")
