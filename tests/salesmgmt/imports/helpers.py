"""Uploading through the pages, as a person does."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from salesmgmt.models import ImportJob


def csv_bytes(rows: list[list], *, delimiter=",", bom=False) -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode()


def xlsx_bytes(rows: list[list]) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, kind: str, data: bytes, name: str = "file.csv") -> ImportJob:
    """Upload a file (its dry run runs at once: tasks are eager in tests); the job."""
    # The job is queued once the upload commits: run what commit would run.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            reverse("imports:upload", args=[kind]), {"file": SimpleUploadedFile(name, data)}
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def run(client, job: ImportJob) -> ImportJob:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("imports:run", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    return job


def problems(job: ImportJob) -> set[tuple[int, str]]:
    return {(p["row"], p["column"]) for p in job.problems}


def read_csv(response) -> list[list[str]]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return read_csv_bytes(body)


def read_csv_bytes(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def read_xlsx(response, sheet=0) -> list[list]:
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(r) for r in book.worksheets[sheet].iter_rows(values_only=True)]
