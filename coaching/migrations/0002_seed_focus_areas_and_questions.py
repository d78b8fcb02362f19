"""The focus areas sessions and training work on, and the feedback questions reps rate
their manager on: sensible defaults an admin changes freely."""

from django.db import migrations

FOCUS_AREAS = [
    ("prospecting", "Prospecting"),
    ("presentation", "Presentation"),
    ("closing", "Closing"),
    ("product-knowledge", "Product knowledge"),
    ("territory-planning", "Territory planning"),
    ("communication", "Communication"),
    ("time-management", "Time management"),
    ("competitive-intelligence", "Competitive intelligence"),
    ("opportunity-management", "Opportunity management"),
]

QUESTIONS = [
    ("clear-expectations", "My manager makes clear what is expected of me."),
    ("helps-me-win", "My manager helps me win deals."),
    ("useful-coaching", "Coaching with my manager is useful."),
    ("recognition", "My manager recognises good work."),
    ("safe-to-speak", "I can raise problems without fear."),
]


def seed(apps, schema_editor):
    FocusArea = apps.get_model("coaching", "FocusArea")
    FeedbackQuestion = apps.get_model("coaching", "FeedbackQuestion")
    for position, (key, name) in enumerate(FOCUS_AREAS):
        FocusArea.objects.get_or_create(key=key, defaults={"name": name, "position": position})
    for position, (key, name) in enumerate(QUESTIONS):
        FeedbackQuestion.objects.get_or_create(
            key=key, defaults={"name": name, "position": position}
        )


class Migration(migrations.Migration):
    dependencies = [("coaching", "0001_coaching_recognition_training_feedback_plans")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
