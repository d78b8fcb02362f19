"""A few changes people made, for the audit trail (the rest of the demo is loaded with the
trail paused: machine-made, nobody's change)."""

from decimal import Decimal

from activities.models import Customer, Deal, Task, TaskPriority
from plans.models import Goal
from reporting.models import Kpi
from salesmgmt.demo.base import DemoCompany
from salesmgmt.models import CompanySettings, RepFunction, User


def _change(obj, by, **fields):
    for name, value in fields.items():
        setattr(obj, name, value)
    obj._history_user = by
    obj.save()


def load_audit_examples(demo: DemoCompany) -> None:
    people = {
        u.username: u
        for u in User.objects.filter(username__in=["rep", "manager", "admin", "rep.tom"])
    }
    rep, manager, admin = people["rep"], people["manager"], people["admin"]
    customer = Customer.objects.filter(owner=rep).order_by("pk").first()
    if customer is not None:
        _change(customer, rep, phone="+44 23 8000 0101")
        _change(customer, manager, segment="mid")
    deal = Deal.objects.filter(owner=rep, stage__kind="open").order_by("pk").first()
    if deal is not None:
        _change(deal, rep, amount=deal.amount + Decimal("1500"), probability=65)
        _change(deal, manager, next_step="Pricing call with the buyer")
    task = Task.objects.filter(assignee=rep, done_at__isnull=True).order_by("pk").first()
    if task is not None:
        _change(task, manager, priority=TaskPriority.HIGH)
    goal = Goal.objects.filter(rep=rep).order_by("-start", "pk").first()
    if goal is not None:
        _change(goal, manager, stretch_target=goal.target * Decimal("1.2"))
    kpi = Kpi.objects.order_by("pk").first()
    if kpi is not None:
        _change(kpi, admin, target=kpi.target + 5)
    settings = CompanySettings.objects.get(pk=1)
    _change(settings, admin, stale_deal_days=settings.stale_deal_days + 7)
    if "rep.tom" in people:  # moved to account executive, then back (the demo's teams stay)
        _change(people["rep.tom"], admin, rep_function=RepFunction.ACCOUNT_EXECUTIVE)
        _change(people["rep.tom"], admin, rep_function=RepFunction.GENERALIST)
