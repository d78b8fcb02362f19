"""Pages of the spreadsheet imports: upload, the job (progress, dry-run preview, done),
its progress for polling, the import itself, the templates and the user's imports."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from salesmgmt.errors import RuleViolation
from salesmgmt.imports import files, reader, registry, selectors, services
from salesmgmt.imports.forms import UploadForm
from salesmgmt.models import ImportJob
from salesmgmt.web import paginate, query_without_page


def _importer(kind: str) -> registry.Importer:
    importer = registry.get(kind)
    if importer is None:
        raise Http404
    return importer


def _own_job(request, pk) -> ImportJob:
    # The file's bytes stay in the database: no page needs them.
    return get_object_or_404(ImportJob.objects.visible_to(request.user).defer("data"), pk=pk)


def job_list(request):
    importers = registry.importers()
    labels = {importer.kind: importer.label for importer in importers}
    jobs = list(selectors.recent_jobs(request.user))
    for job in jobs:
        job.kind_label = labels.get(job.kind, job.kind)
    return render(
        request, "salesmgmt/imports/job_list.html", {"jobs": jobs, "importers": importers}
    )


def upload(request, kind):
    importer = _importer(kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.create_job(
                user=request.user,
                kind=kind,
                file_name=upload.name,
                data=upload.read(reader.max_bytes() + 1),
            )
        except RuleViolation as exc:
            form.add_error("file", exc.message_dict.get("file", exc.messages))
        else:
            return redirect("imports:job", pk=job.pk)
    return render(
        request,
        "salesmgmt/imports/upload.html",
        {
            "form": form,
            "importer": importer,
            "allowed": importer.allowed_values(),
            "max_mb": reader.max_bytes() // 2**20,
            "max_rows": settings.IMPORT_MAX_ROWS,
        },
    )


def template(request, kind, fmt):
    importer = _importer(kind)
    if fmt not in files.FORMATS:
        raise Http404
    return files.template_response(importer, fmt)


def _job_context(request, job: ImportJob) -> dict:
    importer = _importer(job.kind)
    context = {"job": job, "importer": importer, "counts": job.counts}
    if not job.running:
        context["page"] = paginate(request, selectors.problems_by_row(job), per_page=100)
        context["query"] = query_without_page(request)
    return context


def job_detail(request, pk):
    """The dry run's preview (with a progress bar while it runs) and, once imported, the
    done page."""
    job = _own_job(request, pk)
    return render(request, "salesmgmt/imports/job_detail.html", _job_context(request, job))


def job_progress(request, pk):
    """Polled every second while the job runs: JSON for scripts, else the progress
    fragment, which replaces itself by the whole page once the job is done."""
    job = ImportJob.objects.visible_to(request.user).defer("data").filter(pk=pk).first()
    if job is None:
        raise Http404
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "status": job.status,
                "processed": job.processed_rows,
                "total": job.total_rows,
                "percent": job.percent,
                "counts": job.counts,
                "problems": len(job.problems),
                "file_problems": job.file_problems,
            }
        )
    response = render(request, "salesmgmt/imports/_progress.html", {"job": job})
    if not job.running:
        response["HX-Refresh"] = "true"  # done: the page shows the outcome
    return response


@require_POST
def job_run(request, pk):
    job = _own_job(request, pk)
    try:
        services.start_import(job=job, by=request.user)
    except RuleViolation as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("imports:job", pk=job.pk)
