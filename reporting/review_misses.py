"""A miss's root cause, set from a read of the miss's ``version``.

``reviews.set_miss_cause`` holds the rules (who annotates, which causes, the note's
length); this is the write the pages and the API call: the miss is locked by its key
and a stale version is refused (409) before any rule is checked, so two managers
setting the cause of one miss at once cannot silently overwrite each other.
"""

from django.db import transaction

from salesmgmt.errors import ConflictError
from salesmgmt.models import User

from . import reviews
from .models import ReviewMiss


@transaction.atomic
def set_miss_cause(
    *, miss: ReviewMiss, by: User, root_cause: str, note: str = "", version: int | None = None
) -> ReviewMiss:
    locked = ReviewMiss.objects.select_for_update(of=("self",)).filter(pk=miss.pk).first()
    if locked is None:
        raise ConflictError("This miss is gone: the review was regenerated. Reload it.")
    if version is not None and locked.version != version:
        raise ConflictError(
            "The root cause of this miss was changed by someone else since you opened it. "
            "Nothing was saved; reload to see it."
        )
    miss = reviews.set_miss_cause(miss=locked, by=by, root_cause=root_cause, note=note)
    miss.version += 1
    miss.save(update_fields=["version"])
    return miss
