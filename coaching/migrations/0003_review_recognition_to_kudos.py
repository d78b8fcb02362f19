"""The monthly review's recognition text moves to kudos (recognition has its own place,
never the review's notes form). Each review with recognition becomes one Kudos to its
rep, from whoever shared the review (else the rep's team manager, else nobody), dated
when it was shared (else when the review was built), linked to the review.

Kudos.message widens to 2,000 characters so no word a manager wrote is cut; new kudos
stay short (their forms and the API take 500). Reverse: the text goes back to the review.
reporting 0008 then drops the review's field.
"""

from django.db import migrations, models

LONGEST = 2000


def review_recognition_to_kudos(apps, schema_editor):
    MonthlyReview = apps.get_model("reporting", "MonthlyReview")
    Kudos = apps.get_model("coaching", "Kudos")
    reviews = (
        MonthlyReview.objects.exclude(recognition="")
        .select_related("rep__team")
        .order_by("pk")
    )
    carried = {
        pk for pk in Kudos.objects.filter(review__isnull=False).values_list("review_id", flat=True)
    }
    batch = []
    for review in reviews.iterator(chunk_size=500):
        text = review.recognition.strip()
        if not text or review.pk in carried:  # run twice: once
            continue
        team = review.rep.team
        giver_id = review.shared_by_id or (team.manager_id if team else None)
        batch.append(
            Kudos(
                giver_id=giver_id if giver_id != review.rep_id else None,
                recipient_id=review.rep_id,
                message=text[:LONGEST],
                review_id=review.pk,
                created_at=review.shared_at or review.generated_at,
            )
        )
    Kudos.objects.bulk_create(batch, batch_size=500)


def kudos_back_to_reviews(apps, schema_editor):
    MonthlyReview = apps.get_model("reporting", "MonthlyReview")
    Kudos = apps.get_model("coaching", "Kudos")
    for kudos in Kudos.objects.filter(review__isnull=False).order_by("review_id", "created_at"):
        MonthlyReview.objects.filter(pk=kudos.review_id, recognition="").update(
            recognition=kudos.message
        )
        kudos.delete()


class Migration(migrations.Migration):
    dependencies = [
        ("coaching", "0002_seed_focus_areas_and_questions"),
        ("reporting", "0007_deviation_actions"),
    ]

    operations = [
        migrations.AlterField(
            model_name="kudos",
            name="message",
            field=models.CharField(max_length=LONGEST),
        ),
        migrations.RunPython(review_recognition_to_kudos, kudos_back_to_reviews),
    ]
