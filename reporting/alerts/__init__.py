"""What managers do about a deviation alert: notes, tasks for the rep, acknowledging,
snoozing; the alert's page with its history. The alerts themselves (opened, worsened,
closed by the daily job) live in reporting.kpis."""
