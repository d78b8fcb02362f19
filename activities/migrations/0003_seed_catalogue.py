from django.db import migrations

METRICS = [
    # key, name, unit, kind
    ("calls", "Calls", "count", "activity"),
    ("contacts", "Contacts reached", "count", "activity"),
    ("leads", "Leads created", "count", "activity"),
    ("appointments-set", "Appointments set", "count", "activity"),
    ("appointments-held", "Appointments held", "count", "activity"),
    ("meetings", "Meetings", "count", "activity"),
    ("proposals", "Proposals sent", "count", "activity"),
    ("sales-closed", "Sales closed", "count", "outcome"),
    ("sales-value", "Sales value", "money", "outcome"),
    ("upsells", "Up-sells", "count", "outcome"),
]

CHANNELS = [
    ("walk-in", "Walk-in"),
    ("outbound-phone", "Outbound phone"),
    ("inbound-phone", "Inbound phone"),
    ("email", "E-mail"),
    ("field-visit", "Field visit"),
    ("referral", "Referral"),
    ("online", "Online"),
]


def seed(apps, schema_editor):
    Metric = apps.get_model("activities", "Metric")
    Channel = apps.get_model("activities", "Channel")
    for position, (key, name, unit, kind) in enumerate(METRICS):
        Metric.objects.get_or_create(
            key=key, defaults={"name": name, "unit": unit, "kind": kind, "position": position}
        )
    for key, name in CHANNELS:
        Channel.objects.get_or_create(key=key, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("activities", "0002_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
