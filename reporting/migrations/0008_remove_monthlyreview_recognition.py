"""The review's recognition text lives on as kudos (coaching 0003 moved it there)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0007_deviation_actions"),
        ("coaching", "0003_review_recognition_to_kudos"),
    ]

    operations = [migrations.RemoveField(model_name="monthlyreview", name="recognition")]
