from salesmgmt.models import ImportJob

RECENT = 50


def recent_jobs(user):
    """The user's own latest imports (never the file's bytes: the list does not need them)."""
    return ImportJob.objects.visible_to(user).defer("data", "problems")[:RECENT]


def problems_by_row(job: ImportJob) -> list[tuple[int, list[dict]]]:
    """Every problem of the job, grouped by row, rows in file order."""
    rows: dict[int, list[dict]] = {}
    for problem in job.problems:
        rows.setdefault(problem["row"], []).append(problem)
    return sorted(rows.items())
