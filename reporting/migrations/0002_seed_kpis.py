"""A sensible default set of KPIs (at most 8); the admin changes them freely."""

from decimal import Decimal

from django.db import migrations

# key, name, kind, metric, denominator, stage (pipeline, key), period, target, amber, red
KPIS = [
    ("calls-per-week", "Calls per rep per week", "metric_total",
     "calls", None, None, "week", 120, 100, 80),
    ("held-rate", "Appointments held / set", "ratio",
     "appointments-held", "appointments-set", None, "month", 80, 70, 60),
    ("hit-rate", "Hit rate (sales / appointments held)", "ratio",
     "sales-closed", "appointments-held", None, "month", 30, 25, 20),
    ("proposal-conversion", "Proposal conversion", "stage_conversion",
     None, None, ("new-business", "proposal"), "month", 50, 40, 30),
    ("avg-deal-size", "Average deal size", "avg_deal_size",
     None, None, None, "month", 3000, 2500, 2000),
    ("plan-submission", "Weekly plans submitted", "plan_submission_rate",
     None, None, None, "month", 100, 90, 75),
    ("plan-attainment", "Plan attainment", "plan_attainment",
     None, None, None, "month", 100, 85, 70),
    ("task-on-time", "Tasks done on time", "task_on_time_rate",
     None, None, None, "month", 90, 75, 60),
]


def seed(apps, schema_editor):
    Kpi = apps.get_model("reporting", "Kpi")
    Metric = apps.get_model("activities", "Metric")
    Stage = apps.get_model("activities", "Stage")
    metrics = {m.key: m for m in Metric.objects.all()}
    for position, row in enumerate(KPIS):
        key, name, kind, metric, denominator, stage, period, target, amber, red = row
        if (metric and metric not in metrics) or (denominator and denominator not in metrics):
            continue  # the catalogue was changed before this ran: nothing sensible to seed
        stage_row = None
        if stage:
            stage_row = Stage.objects.filter(pipeline__key=stage[0], key=stage[1]).first()
            if stage_row is None:
                continue
        Kpi.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "kind": kind,
                "metric": metrics.get(metric),
                "denominator": metrics.get(denominator),
                "stage": stage_row,
                "period": period,
                "target": Decimal(target),
                "amber_threshold": Decimal(amber),
                "red_threshold": Decimal(red),
                "direction": "higher",
                "position": position,
            },
        )


def unseed(apps, schema_editor):
    apps.get_model("reporting", "Kpi").objects.filter(key__in=[row[0] for row in KPIS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0001_kpis_reviews_commissions_report_packs"),
        ("activities", "0005_seed_pipelines_and_reasons"),
    ]
    operations = [migrations.RunPython(seed, unseed)]
