"""Demo data of coaching.improvement."""

import random

from salesmgmt.demo.base import DemoCompany


def load(demo: DemoCompany, rng: random.Random) -> None:
    """(Filled in with coaching.improvement.)"""
