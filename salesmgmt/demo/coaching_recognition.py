"""Demo data of coaching.recognition."""

import random

from salesmgmt.demo.base import DemoCompany


def load(demo: DemoCompany, rng: random.Random) -> None:
    """(Filled in with coaching.recognition.)"""
