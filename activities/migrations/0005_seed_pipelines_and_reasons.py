from django.db import migrations

REASONS = [
    ("price", "Price"),
    ("product-fit", "Product fit"),
    ("timing", "Timing"),
    ("competitor", "Competitor"),
    ("no-budget", "No budget"),
    ("no-response", "No response"),
    ("other", "Other"),
]

NEW_BUSINESS = [
    # key, name, probability, kind
    ("lead", "Lead", 5, "open"),
    ("contacted", "Contacted", 10, "open"),
    ("appointment-set", "Appointment set", 20, "open"),
    ("appointment-held", "Appointment held", 35, "open"),
    ("proposal", "Proposal", 55, "open"),
    ("negotiation", "Negotiation", 75, "open"),
    ("won", "Won", 100, "won"),
    ("lost", "Lost", 0, "lost"),
]

RENEWALS = [
    ("due", "Renewal due", 60, "open"),
    ("in-talks", "In talks", 75, "open"),
    ("quoted", "Quoted", 85, "open"),
    ("won", "Renewed", 100, "won"),
    ("lost", "Churned", 0, "lost"),
]


def seed(apps, schema_editor):
    LostReason = apps.get_model("activities", "LostReason")
    Pipeline = apps.get_model("activities", "Pipeline")
    Stage = apps.get_model("activities", "Stage")
    for position, (key, name) in enumerate(REASONS):
        LostReason.objects.get_or_create(key=key, defaults={"name": name, "position": position})
    for position, (key, name, stages) in enumerate(
        [("new-business", "New business", NEW_BUSINESS), ("renewals", "Renewals", RENEWALS)]
    ):
        pipeline, _ = Pipeline.objects.get_or_create(
            key=key, defaults={"name": name, "position": position}
        )
        for index, (stage_key, stage_name, probability, kind) in enumerate(stages):
            Stage.objects.get_or_create(
                pipeline=pipeline,
                key=stage_key,
                defaults={
                    "name": stage_name,
                    "position": index,
                    "probability": probability,
                    "kind": kind,
                },
            )


class Migration(migrations.Migration):
    dependencies = [("activities", "0004_customers_deals_tasks")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
