"""The monthly review's recognition text moves out of the review (recognition has its own
place, never the review's notes form); reporting 0008 then drops the review's field.

- A review the rep could read (shared: status not "draft", or ``shared_at`` set) becomes one
  Kudos to its rep, marked ``carried_from_review``, linked to the review, dated when it was
  shared (else when the review was built). Giver: whoever shared the review (they wrote or
  approved what the rep read), else the rep's team manager, else nobody.
- A draft review's text was never shown to the rep: it must not appear on the recognition
  feed. It is appended to the review's ``manager_notes`` (manager-only), prefixed
  "Recognition (draft, not shared): ", so nothing is lost.

Kudos.message becomes a text field so no word a manager wrote is cut; new kudos stay short
(their forms and the API take 500).

Reverse (best effort): a review's carried kudos (only rows marked ``carried_from_review``;
kudos given later from the review page stay) are joined back into its recognition and
deleted; a draft's text is moved back out of ``manager_notes`` when the prefix is there.
"""

from django.db import migrations, models

DRAFT_PREFIX = "Recognition (draft, not shared): "
SEPARATOR = "\n\n"


def _shared(review):
    return review.status != "draft" or review.shared_at is not None


def review_recognition_to_kudos(apps, schema_editor):
    MonthlyReview = apps.get_model("reporting", "MonthlyReview")
    Kudos = apps.get_model("coaching", "Kudos")
    reviews = (
        MonthlyReview.objects.exclude(recognition="")
        .select_related("rep__team")
        .order_by("pk")
    )
    carried = set(
        Kudos.objects.filter(carried_from_review=True).values_list("review_id", flat=True)
    )
    batch = []
    for review in reviews.iterator(chunk_size=500):
        text = review.recognition.strip()
        if not text:
            continue
        if not _shared(review):
            if DRAFT_PREFIX + text not in review.manager_notes:  # run twice: once
                notes = review.manager_notes.rstrip()
                review.manager_notes = (
                    notes + SEPARATOR if notes else ""
                ) + DRAFT_PREFIX + text
                review.save(update_fields=["manager_notes"])
            continue
        if review.pk in carried:  # run twice: once
            continue
        team = review.rep.team
        giver_id = review.shared_by_id or (team.manager_id if team else None)
        batch.append(
            Kudos(
                giver_id=giver_id if giver_id != review.rep_id else None,
                recipient_id=review.rep_id,
                message=text,
                review_id=review.pk,
                created_at=review.shared_at or review.generated_at,
                carried_from_review=True,
            )
        )
    Kudos.objects.bulk_create(batch, batch_size=500)


def kudos_back_to_reviews(apps, schema_editor):
    MonthlyReview = apps.get_model("reporting", "MonthlyReview")
    Kudos = apps.get_model("coaching", "Kudos")
    carried = Kudos.objects.filter(carried_from_review=True, review__isnull=False)
    texts = {}
    for review_id, message in carried.order_by("review_id", "created_at", "pk").values_list(
        "review_id", "message"
    ):
        texts.setdefault(review_id, []).append(message)
    for review_id, messages in texts.items():
        MonthlyReview.objects.filter(pk=review_id, recognition="").update(
            recognition=SEPARATOR.join(messages)
        )
    carried.delete()
    for review in MonthlyReview.objects.filter(
        status="draft", manager_notes__contains=DRAFT_PREFIX
    ).iterator(chunk_size=500):
        notes = review.manager_notes
        at = notes.rfind(DRAFT_PREFIX)
        if at > 0 and notes[:at].endswith(SEPARATOR):
            kept = notes[: at - len(SEPARATOR)]
        elif at == 0:
            kept = ""
        else:
            continue  # the prefix sits inside someone's own words: leave them alone
        review.recognition = notes[at + len(DRAFT_PREFIX) :]
        review.manager_notes = kept
        review.save(update_fields=["recognition", "manager_notes"])


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0002_seed_focus_areas_and_questions"),
        ("reporting", "0007_deviation_actions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="kudos",
            name="message",
            field=models.TextField(),
        ),
        migrations.AddField(
            model_name="kudos",
            name="carried_from_review",
            field=models.BooleanField(
                default=False,
                help_text="Recognition text carried over from a shared monthly review "
                "(coaching 0003); its reverse removes only these.",
            ),
        ),
        migrations.RunPython(review_recognition_to_kudos, kudos_back_to_reviews),
    ]
