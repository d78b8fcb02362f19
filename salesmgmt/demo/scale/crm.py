"""The scale company's customers, deals (walked through their stages, won deals writing
their sale rows as the deal services do) and tasks."""

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from activities.models import (
    Activity,
    ActivitySource,
    Customer,
    CustomerStatus,
    Deal,
    StageKind,
    StageTransition,
    Task,
    TaskPriority,
)
from salesmgmt.demo.scale.writer import next_id

if TYPE_CHECKING:
    from salesmgmt.demo.scale.company import ScaleCompany

CITIES = ("Jakarta", "Surabaya", "Manila", "Cebu", "Athens", "Thessaloniki", "Bandung", "Davao")
CUSTOMERS_PER_REP = 31
DEALS_PER_REP = 50
TASKS_PER_REP = 100


def load_crm(company: "ScaleCompany") -> None:
    """Customers, deals walked through their stages, and won deals' sale rows."""
    rng = company.rng
    customer_id, deal_id = next_id(Customer), next_id(Deal)
    customers, deals, transitions, products, sales = [], [], [], [], []
    closed, value = company.metrics["sales-closed"], company.metrics["sales-value"]
    span = (company.today - company.start).days
    deal_products = Deal.products.through
    for rep in company.rep_ids:
        own = list(range(customer_id, customer_id + CUSTOMERS_PER_REP))
        for pk in own:
            status = rng.choice(
                (
                    CustomerStatus.PROSPECT,
                    CustomerStatus.ACTIVE,
                    CustomerStatus.ACTIVE,
                    CustomerStatus.DID_NOT_BUY,
                    CustomerStatus.LOST,
                )
            )
            reason = (
                rng.choice(company.lost_reasons)
                if status in (CustomerStatus.DID_NOT_BUY, CustomerStatus.LOST)
                else None
            )
            customers.append(
                (
                    pk,
                    f"{CITIES[pk % len(CITIES)]} trading {pk}",
                    rep,
                    status,
                    reason,
                    CITIES[pk % len(CITIES)],
                )
            )
        customer_id += CUSTOMERS_PER_REP
        for _ in range(DEALS_PER_REP):
            pipeline = (
                company.new_business
                if rng.random() < 0.85
                else rng.choice(
                    [p for p in company.pipelines if p != company.new_business]
                    or [company.new_business]
                )
            )
            stages = company.pipelines[pipeline]
            open_stages = [s for s in stages if s.kind == StageKind.OPEN]
            outcome = rng.random()
            if outcome < 0.3:
                end = next(s for s in stages if s.kind == StageKind.WON)
                path = open_stages[: rng.randint(2, len(open_stages))] + [end]
            elif outcome < 0.55:
                end = next(s for s in stages if s.kind == StageKind.LOST)
                path = open_stages[: rng.randint(1, len(open_stages))] + [end]
            else:
                path = open_stages[: rng.randint(1, len(open_stages))]
            created = min(
                company._at(
                    company.start + timedelta(days=rng.randrange(span + 1)), rng.uniform(8, 17)
                ),
                company.now - timedelta(hours=1),  # never in the future: history runs forward
            )
            at, previous = created, None
            for stage in path:
                transitions.append((deal_id, previous, stage.pk, at, rep))
                previous = stage.pk
                at = min(at + timedelta(days=rng.uniform(0.5, 12)), company.now)
            last = stage_at = transitions[-1][3]
            kind = path[-1].kind
            closed_on = last.astimezone(company.zone).date() if kind != StageKind.OPEN else None
            product, low, high = company.products[rng.randrange(len(company.products))]
            amount = Decimal(rng.randint(low, high * 3))
            customer = own[rng.randrange(len(own))]
            deals.append(
                (
                    deal_id,
                    f"Deal {deal_id}",
                    customer,
                    rep,
                    pipeline,
                    path[-1].pk,
                    amount,
                    created.date() + timedelta(days=rng.randint(20, 90)),
                    rng.choice(company.lost_reasons) if kind == StageKind.LOST else None,
                    closed_on,
                    stage_at,
                    created,
                )
            )
            products.append((deal_id, product))
            if kind == StageKind.WON:
                for key, metric, quantity in (
                    ("sales-closed", closed, Decimal(1)),
                    ("sales-value", value, amount),
                ):
                    sales.append(
                        (
                            rep,
                            closed_on,
                            metric,
                            quantity,
                            product,
                            customer,
                            deal_id,
                            ActivitySource.DEAL,
                            f"deal-{deal_id}-{key}",
                            rep,
                            f"Deal {deal_id}",
                        )
                    )
            deal_id += 1
    company._timed(
        "customers",
        Customer,
        ["id", "name", "owner_id", "status", "lost_reason_id", "city"],
        customers,
    )
    company._timed(
        "deals",
        Deal,
        [
            "id",
            "title",
            "customer_id",
            "owner_id",
            "pipeline_id",
            "stage_id",
            "amount",
            "expected_close",
            "lost_reason_id",
            "closed_on",
            "stage_entered_at",
            "created_at",
        ],
        deals,
    )
    company._timed("deal products", deal_products, ["deal_id", "product_id"], products)
    company._timed(
        "stage changes",
        StageTransition,
        ["deal_id", "from_stage_id", "to_stage_id", "at", "by_id"],
        transitions,
    )
    company._timed(
        "activities",
        Activity,
        [
            "rep_id",
            "day",
            "metric_id",
            "quantity",
            "product_id",
            "customer_id",
            "deal_id",
            "source",
            "external_id",
            "created_by_id",
            "note",
        ],
        sales,
    )


def load_tasks(company: "ScaleCompany") -> None:
    """Tasks due across the period and the next two weeks; most past ones done."""
    rng, rows = company.rng, []
    span = (company.today - company.start).days + 14
    for rep in company.rep_ids:
        manager = company.managers[company.rep_team[rep]]
        for n in range(TASKS_PER_REP):
            due = company._at(
                company.start + timedelta(days=rng.randrange(span)), rng.choice((9, 11, 14, 16))
            )
            done = (
                min(due - timedelta(hours=rng.uniform(-30, 20)), company.now)
                if due < company.now and rng.random() < 0.9
                else None
            )
            rows.append(
                (
                    f"Follow up {n + 1}",
                    rep,
                    manager if n % 5 == 0 else rep,
                    due,
                    rng.choice(
                        (
                            TaskPriority.LOW,
                            TaskPriority.NORMAL,
                            TaskPriority.NORMAL,
                            TaskPriority.HIGH,
                        )
                    ),
                    done,
                    min(due - timedelta(days=3), company.now),
                )
            )
    company._timed(
        "tasks",
        Task,
        [
            "title",
            "assignee_id",
            "created_by_id",
            "due_at",
            "priority",
            "done_at",
            "created_at",
        ],
        rows,
    )
