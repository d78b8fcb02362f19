"""Loads the whole demo company (``manage.py seed_demo``), step by step.

Order matters: each step reads what earlier ones made (the activity step decides which
sales went through the pipeline, the deals step closes them as won deals, the control
step sets quotas from the activity log). The plans and the activity log draw from the
seeded ``random.Random`` given to ``DemoCompany``; customers, deals, tasks and
notifications from a second stream of their own (``DemoCompany.crm_rng``); the control
half from a third (``ControlDemo.rng``). Reordering the steps changes the demo's data.

Won deals and hand-logged sales never count the same sale twice: the funnel makes
the sales; in the last eight weeks a share of them went through the pipeline and
is recorded as won deals (with the activity rows the deal services write), the
rest is logged by hand. Sales totals are the same as if all were logged by hand.
"""

import random

from salesmgmt.audit.history import history_paused
from salesmgmt.demo.activity import load_activity
from salesmgmt.demo.audit import load_audit_examples
from salesmgmt.demo.base import SEED, DemoCompany
from salesmgmt.demo.catalogue import load_catalogue
from salesmgmt.demo.coaching import load_coaching
from salesmgmt.demo.control import ControlDemo
from salesmgmt.demo.deals import load_customers_and_deals
from salesmgmt.demo.links import link_activity
from salesmgmt.demo.notifications import load_notifications
from salesmgmt.demo.people import load_people, load_settings
from salesmgmt.demo.plans import load_plans, load_resubmitted_plan, name_key_accounts
from salesmgmt.demo.tasks import load_tasks
from salesmgmt.models import Notification


def load_demo() -> DemoCompany:
    """Build the demo into the database (the caller holds the transaction)."""
    demo = DemoCompany(random.Random(SEED))
    # Machine-made data is nobody's change: no audit trail while it loads (an object's
    # first real change reads it as it stood); then a few changes people made.
    with history_paused():
        load_settings(demo)
        load_catalogue(demo)
        load_people(demo)
        load_plans(demo)
        load_activity(demo)
        load_customers_and_deals(demo)
        link_activity(demo)
        name_key_accounts(demo)
        load_tasks(demo)
        load_notifications(demo)
        _load_control(demo)
        load_resubmitted_plan(demo)  # it adds a plan and draws from no shared stream
        load_coaching(demo)  # last, on a stream of its own
    load_audit_examples(demo)
    return demo


def _load_control(demo: DemoCompany) -> None:
    """Goals, a year of monthly results, commissions, reviews, alerts, a report pack."""
    control = ControlDemo(demo)
    control.build()
    control.after_commit_jobs()
    # What the jobs told people counts as e-mailed already, like the rest of the demo.
    Notification.objects.filter(email=True, emailed_at__isnull=True).update(emailed_at=demo.now)
