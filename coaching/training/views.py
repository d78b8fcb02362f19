"""Training pages: the module catalogue, a rep's own training, the team matrix with its
CSV, the assign form and one assignment (complete, confirm, reopen).

Every read of assignments goes through ``TrainingAssignment.objects.visible_to``; one
outside it answers 404. The catalogue is shared: everyone reads it, managers, directors
and admins write it. Writes go through coaching.training.services.
"""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from coaching.models import TrainingAssignment, TrainingModule
from coaching.training import selectors
from coaching.training import services as training
from coaching.training.filters import TrainingModuleFilter
from coaching.training.forms import AssignForm, CompleteForm, ModuleForm, VersionForm
from salesmgmt.csv_export import csv_response, safe_cell
from salesmgmt.errors import ConflictError, RuleViolation
from salesmgmt.models import CompanySettings, Team, User
from salesmgmt.web import apply_rule_errors, paginate, query_without_page


def _message(exc) -> str:
    return exc.message if isinstance(exc, ConflictError) else " ".join(exc.messages)


def _writer(request) -> None:
    if not training.writes_catalogue(request.user):
        raise Http404


# --- The catalogue ------------------------------------------------------------------------------


def module_list(request):
    """Every module, filterable by topic, active and onboarding; for managers with how
    many of their reps hold each open, overdue and done."""
    user = request.user
    today = CompanySettings.load().today()
    modules = TrainingModule.objects.select_related("topic").order_by("-active", "title")
    writer = training.writes_catalogue(user)
    if writer:
        mine = Q(assignments__rep__in=User.objects.visible_to(user).values("pk"))
        open_ = mine & Q(assignments__completed_at__isnull=True)
        modules = modules.annotate(
            open_count=Count("assignments", filter=open_),
            overdue_count=Count("assignments", filter=open_ & Q(assignments__due__lt=today)),
            done_count=Count(
                "assignments", filter=mine & Q(assignments__completed_at__isnull=False)
            ),
        )
    filterset = TrainingModuleFilter.for_page(request.GET, queryset=modules, request=request)
    if request.GET.get("export") == "csv":
        return _modules_csv(filterset.qs, writer)
    return render(
        request,
        "coaching/training/module_list.html",
        {
            "filter": filterset,
            "page": paginate(request, filterset.qs),
            "query": query_without_page(request),
            "writer": writer,
        },
    )


def _modules_csv(modules, writer: bool):
    # Column names in the reader's language; cells stay machine-readable.
    header = [
        pgettext("CSV column", "title"),
        pgettext("CSV column", "topic"),
        pgettext("CSV column", "duration_minutes"),
        pgettext("CSV column", "recurrence_months"),
        pgettext("CSV column", "onboarding"),
        pgettext("CSV column", "active"),
    ]
    counts = (
        [
            pgettext("CSV column", "open"),
            pgettext("CSV column", "overdue"),
            pgettext("CSV column", "done"),
        ]
        if writer
        else []
    )
    yes, no = pgettext("CSV value", "yes"), pgettext("CSV value", "no")

    def rows():
        for m in modules:
            yield [
                m.title,
                m.topic or "",
                m.duration_minutes,
                m.recurrence_months or "",
                yes if m.onboarding else no,
                yes if m.active else no,
                *((m.open_count, m.overdue_count, m.done_count) if writer else ()),
            ]

    return csv_response("training-modules.csv", header + counts, rows())


def module_detail(request, pk):
    """A module's material; for the viewer their own assignments of it, for a manager
    those of the reps they see."""
    module = get_object_or_404(TrainingModule.objects.select_related("topic"), pk=pk)
    assignments = (
        TrainingAssignment.objects.visible_to(request.user)
        .filter(module=module)
        .select_related("rep")
        .order_by("completed_at", "due", "pk")
    )
    return render(
        request,
        "coaching/training/module_detail.html",
        {
            "module": module,
            "page": paginate(request, assignments),
            "writer": training.writes_catalogue(request.user),
            "today": CompanySettings.load().today(),
        },
    )


def _save_module(request, form: ModuleForm, module: TrainingModule | None):
    if not form.is_valid():
        return None
    try:
        return training.save_module(
            by=request.user,
            module=module,
            **{name: form.cleaned_data[name] for name in training.MODULE_FIELDS},
        )
    except RuleViolation as exc:
        apply_rule_errors(form, exc)
        return None


@require_http_methods(["GET", "POST"])
def module_create(request):
    _writer(request)
    form = ModuleForm(request.POST or None)
    if request.method == "POST" and (module := _save_module(request, form, None)):
        messages.success(
            request, _("Module “%(module)s” added to the catalogue.") % {"module": module}
        )
        return redirect("training:module", pk=module.pk)
    return render(request, "coaching/training/module_form.html", {"form": form, "module": None})


@require_http_methods(["GET", "POST"])
def module_edit(request, pk):
    _writer(request)
    module = get_object_or_404(TrainingModule, pk=pk)
    # The form works on a copy: a refused save leaves the page's module as it stands.
    form = ModuleForm(request.POST or None, instance=TrainingModule.objects.get(pk=pk))
    if request.method == "POST" and _save_module(request, form, module):
        messages.success(request, _("Module “%(module)s” saved.") % {"module": module})
        return redirect("training:module", pk=module.pk)
    return render(request, "coaching/training/module_form.html", {"form": form, "module": module})


# --- A rep's own training -----------------------------------------------------------------------


def my_training(request):
    """The signed-in rep's training: overdue, due, done. A manager opens a rep's with
    ?rep=<id> (a rep outside their scope: 404)."""
    if "rep" in request.GET:
        try:
            rep = User.objects.visible_to(request.user).sales_reps().get(pk=int(request.GET["rep"]))
        except (ValueError, User.DoesNotExist) as exc:
            raise Http404 from exc
    else:
        rep = request.user
    today = CompanySettings.load().today()
    sections = selectors.rep_assignments(rep, today=today)
    if request.GET.get("export") == "csv":
        return _assignments_csv(
            f"training-{rep.username}.csv",
            [*sections["overdue"], *sections["due"], *sections["done"]],
            today,
        )
    return render(
        request,
        "coaching/training/mine.html",
        {"rep": rep, "is_own": rep.pk == request.user.pk, "today": today, **sections},
    )


def _assignments_csv(filename: str, assignments, today):
    return csv_response(
        filename,
        [
            pgettext("CSV column", "module"),
            pgettext("CSV column", "rep"),
            pgettext("CSV column", "due"),
            pgettext("CSV column", "status"),
            pgettext("CSV column", "source"),
            pgettext("CSV column", "completed_at"),
            pgettext("CSV column", "score"),
            pgettext("CSV column", "confirmed_at"),
        ],
        (
            [
                a.module,
                a.rep,
                a.due.isoformat(),
                selectors.status_of(a, today),
                a.get_source_display(),
                a.completed_at.isoformat() if a.completed_at else "",
                "" if a.score is None else a.score,
                a.confirmed_at.isoformat() if a.confirmed_at else "",
            ]
            for a in assignments
        ),
    )


# --- The team matrix ----------------------------------------------------------------------------


def _managed_teams(request) -> list[Team]:
    _writer(request)
    return list(training.assignable_teams(request.user).select_related("division"))


def _chosen_team(data, teams: list[Team]) -> Team:
    """The team named by ``team`` in ``data`` (one the viewer does not manage: 404), or
    the first they manage."""
    chosen = data.get("team")
    if chosen:
        found = next((t for t in teams if str(t.pk) == chosen), None)
        if found is None:
            raise Http404
        return found
    return teams[0]


def matrix(request):
    """Rep x module for a team the viewer manages: done, due <day>, overdue, or nothing."""
    teams = _managed_teams(request)
    if not teams:
        return render(request, "coaching/training/matrix.html", {"teams": []})
    team = _chosen_team(request.GET, teams)
    grid = selectors.team_matrix(team, today=CompanySettings.load().today())
    if request.GET.get("export") == "csv" or request.GET.get("format") == "csv":
        return _matrix_csv(grid)
    return render(
        request,
        "coaching/training/matrix.html",
        {"teams": teams, "team": team, "grid": grid, "counts": grid.counts()},
    )


def matrix_csv(request):
    teams = _managed_teams(request)
    if not teams:
        raise Http404
    team = _chosen_team(request.GET, teams)
    return _matrix_csv(selectors.team_matrix(team, today=CompanySettings.load().today()))


def _matrix_csv(grid: selectors.Matrix):
    return csv_response(
        f"training-matrix-{grid.team.name}.csv",
        # Titles are people's words: a header cell is made safe like any other cell.
        [pgettext("CSV column", "rep"), *(safe_cell(m.title) for m in grid.modules)],
        ([rep, *(cell.text for cell in cells)] for rep, cells in grid.rows),
    )


# --- Assigning ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def assign(request):
    """Assign a module to some reps of a team the viewer manages, or to the whole team."""
    teams = _managed_teams(request)
    if not teams:
        return render(request, "coaching/training/assign.html", {"teams": []})
    source = request.POST if request.method == "POST" else request.GET
    team = _chosen_team(source, teams)
    initial = {"module": request.GET.get("module")}
    form = AssignForm(request.POST or None, user=request.user, team=team, initial=initial)
    if request.method == "POST" and form.is_valid():
        reps = list(form.cleaned_data["reps"])
        try:
            done = training.assign_module(
                module=form.cleaned_data["module"],
                by=request.user,
                due=form.cleaned_data["due"],
                reps=reps or None,
                team=None if reps else team,
            )
        except RuleViolation as exc:
            apply_rule_errors(form, exc)
        else:
            module = form.cleaned_data["module"]
            count = len(done.created)
            text = ngettext(
                "“%(module)s” assigned to %(count)s rep.",
                "“%(module)s” assigned to %(count)s reps.",
                count,
            ) % {"module": module, "count": count}
            if done.skipped:
                names = ", ".join(str(r) for r in done.skipped)
                text += " " + _("Skipped (already hold it open): %(names)s.") % {"names": names}
            messages.success(request, text)
            return redirect(f"{reverse('training:matrix')}?team={team.pk}")
    return render(
        request, "coaching/training/assign.html", {"teams": teams, "team": team, "form": form}
    )


# --- One assignment -----------------------------------------------------------------------------


def _visible(request, pk) -> TrainingAssignment:
    return get_object_or_404(
        TrainingAssignment.objects.visible_to(request.user).select_related(
            "module__topic", "rep__team", "assigned_by", "confirmed_by"
        ),
        pk=pk,
    )


def _detail_context(request, assignment, **forms) -> dict:
    user = request.user
    managing = training.writes_catalogue(user) and assignment.rep_id != user.pk
    done = assignment.completed_at is not None
    return {
        "a": assignment,
        "today": CompanySettings.load().today(),
        "status": selectors.status_of(assignment, CompanySettings.load().today()),
        "can_complete": assignment.rep_id == user.pk and not done,
        "can_confirm": managing and done and assignment.confirmed_at is None,
        "complete_form": forms.get("complete_form")
        or CompleteForm(initial={"version": assignment.version}),
    }


def assignment_detail(request, pk):
    assignment = _visible(request, pk)
    return render(
        request, "coaching/training/assignment.html", _detail_context(request, assignment)
    )


@require_POST
def assignment_complete(request, pk):
    assignment = _visible(request, pk)
    form = CompleteForm(request.POST)
    if form.is_valid():
        try:
            training.complete_assignment(
                assignment=assignment,
                by=request.user,
                version=form.cleaned_data["version"],
                score=form.cleaned_data["score"],
                note=form.cleaned_data["note"],
            )
        except (RuleViolation, ConflictError) as exc:
            apply_rule_errors(form, exc)
        else:
            messages.success(
                request, _("“%(module)s” recorded as done.") % {"module": assignment.module}
            )
            if request.POST.get("next") == "mine":
                return redirect("training:mine")
            return redirect("training:assignment", pk=assignment.pk)
    assignment = _visible(request, pk)
    return render(
        request,
        "coaching/training/assignment.html",
        _detail_context(request, assignment, complete_form=form),
        status=400,
    )


def _versioned(request, pk, service, done: str):
    assignment = _visible(request, pk)
    form = VersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Reload the page and try again."))
    else:
        try:
            service(assignment=assignment, by=request.user, version=form.cleaned_data["version"])
        except (RuleViolation, ConflictError) as exc:
            messages.error(request, _message(exc))
        else:
            messages.success(request, done)
    return redirect("training:assignment", pk=pk)


@require_POST
def assignment_confirm(request, pk):
    return _versioned(request, pk, training.confirm_assignment, _("Training confirmed."))


@require_POST
def assignment_reopen(request, pk):
    return _versioned(
        request, pk, training.reopen_assignment, _("Reopened; the rep is told it is not done yet.")
    )
