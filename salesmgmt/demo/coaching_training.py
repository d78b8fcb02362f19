"""Demo data of coaching.training."""

import random

from salesmgmt.demo.base import DemoCompany


def load(demo: DemoCompany, rng: random.Random) -> None:
    """(Filled in with coaching.training.)"""
