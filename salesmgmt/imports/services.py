"""The life of an ImportJob: uploaded, checked (the dry run), imported.

The checking and the import run as background jobs (salesmgmt.jobs); they store
their progress on the job row, which the preview page polls. Problems are written in
the uploader's language, as the pages would show them.
"""

import time
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from salesmgmt.audit.history import acting_as
from salesmgmt.calendar import zone_of
from salesmgmt.errors import RuleViolation
from salesmgmt.i18n import language_of
from salesmgmt.imports import reader, registry
from salesmgmt.imports.registry import ImportRefused
from salesmgmt.models import ImportJob, User

Status = ImportJob.Status
# A progress write at most this often: often enough for a bar, rare enough to cost nothing.
PROGRESS_SECONDS = 0.5


def create_job(*, user: User, kind: str, file_name: str, data: bytes) -> ImportJob:
    """Keep the upload and queue its dry run."""
    from salesmgmt.jobs import check_import_job_task, enqueue_on_commit  # noqa: PLC0415

    if registry.get(kind) is None:
        raise RuleViolation({"kind": _("There is no import of that kind.")})
    if len(data) > reader.max_bytes():
        raise RuleViolation(
            {
                "file": _("The file is larger than %(size)s MB.")
                % {"size": reader.max_bytes() // 2**20}
            }
        )
    job = ImportJob.objects.create(user=user, kind=kind, file_name=file_name[:200], data=data)
    enqueue_on_commit(check_import_job_task, job.pk)
    return job


def _reporter(job: ImportJob):
    last = [0.0]

    def progress(processed: int) -> None:
        now = time.monotonic()
        if now - last[0] >= PROGRESS_SECONDS:
            last[0] = now
            ImportJob.objects.filter(pk=job.pk).update(processed_rows=processed)

    return progress


def _fail(job: ImportJob) -> None:
    """A bug or a bad surprise stopped the job: say so on its page rather than spin forever."""
    ImportJob.objects.filter(pk=job.pk).update(status=Status.FAILED, finished_at=timezone.now())


def _problems(check) -> list[dict]:
    return [{"row": p.row, "column": p.column, "message": p.message} for p in check.problems]


def check_job(*, job_id: int) -> ImportJob | None:
    """The dry run of a queued job; a job already checked is left as it is."""
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status not in (Status.QUEUED, Status.CHECKING):
        return job
    importer = registry.get(job.kind)
    with translation.override(language_of(job.user)), timezone.override(zone_of(job.user)):
        sheet = reader.read_sheet(job.file_name, bytes(job.data), importer)
        job.total_rows, job.processed_rows, job.status = len(sheet.rows), 0, Status.CHECKING
        job.save(update_fields=["total_rows", "processed_rows", "status"])
        if sheet.problems:
            job.file_problems, job.problems, job.counts = sheet.problems, [], {}
        else:
            try:
                check = importer.check(sheet.rows, job.user, progress=_reporter(job))
            except OperationalError:
                raise  # the task retries
            except Exception:
                _fail(job)
                raise
            job.problems, job.counts = _problems(check), check.counts
    job.status, job.processed_rows = Status.CHECKED, job.total_rows
    job.finished_at = timezone.now()
    job.save(
        update_fields=[
            "status",
            "processed_rows",
            "file_problems",
            "problems",
            "counts",
            "finished_at",
        ]
    )
    return job


@transaction.atomic
def start_import(*, job: ImportJob, by: User) -> ImportJob:
    """Queue the import of a job checked without problems (once: a second click waits
    for the first)."""
    from salesmgmt.jobs import enqueue_on_commit, import_job_task  # noqa: PLC0415

    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.user_id != by.pk:
        raise PermissionDenied
    if job.status == Status.IMPORTING:
        return job
    if not job.ready:
        raise RuleViolation(_("Only a file checked without problems can be imported."))
    job.status, job.processed_rows = Status.IMPORTING, 0
    job.save(update_fields=["status", "processed_rows"])
    enqueue_on_commit(import_job_task, job.pk)
    return job


def import_job(*, job_id: int) -> ImportJob | None:
    """Write a job's rows, all or nothing; a job already imported changes nothing."""
    job = ImportJob.objects.select_related("user").filter(pk=job_id).first()
    if job is None or job.status != Status.IMPORTING:
        return job
    importer = registry.get(job.kind)
    # In the worker no request says who acts: the audit trail names the uploader.
    with (
        translation.override(language_of(job.user)),
        timezone.override(zone_of(job.user)),
        acting_as(job.user),
    ):
        sheet = reader.read_sheet(job.file_name, bytes(job.data), importer)
        try:
            first = importer.check(sheet.rows, job.user, progress=_reporter(job))
            if first.problems:
                raise ImportRefused(first)
            with transaction.atomic():
                # The rows and the job's "done" commit together: a task delivered again
                # after a crash between the two would otherwise import the file twice.
                if not _still_importing(job):
                    return ImportJob.objects.get(pk=job.pk)
                check = importer.commit(sheet.rows, job.user)
                _finish(job, Status.DONE, check.counts, [])
                return job
        except ImportRefused as refused:
            # The data changed since the dry run: back to the preview, with what is wrong now.
            _finish(job, Status.CHECKED, refused.check.counts, _problems(refused.check))
            return job
        except OperationalError:
            raise  # the task retries (a locked database, a lost connection)
        except Exception:
            _fail(job)  # nothing was written (one transaction)
            raise


def _still_importing(job: ImportJob) -> bool:
    return ImportJob.objects.select_for_update().filter(pk=job.pk, status=Status.IMPORTING).exists()


def _finish(job: ImportJob, status: str, counts: dict, problems: list[dict]) -> None:
    job.status, job.counts, job.problems = status, counts, problems
    if status == Status.DONE:
        job.data = b""  # imported: the file has served its purpose
    job.processed_rows, job.finished_at = job.total_rows, timezone.now()
    job.save(
        update_fields=["status", "problems", "counts", "data", "processed_rows", "finished_at"]
    )


def purge_old_jobs(*, now=None) -> int:
    """Delete imports older than IMPORT_KEEP_DAYS, with the files they hold (a job still
    running is left alone). Returns how many went; a second run deletes nothing more."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.IMPORT_KEEP_DAYS)
    running = (Status.QUEUED, Status.CHECKING, Status.IMPORTING)
    deleted, _by_model = (
        ImportJob.objects.filter(created_at__lt=cutoff).exclude(status__in=running).delete()
    )
    return deleted
