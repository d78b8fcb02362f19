"""Panels: how a page of a lower app shows what a higher app knows, without importing it.

The team dashboard (reporting) shows coaching coverage; a monthly review (reporting)
lists the month's coaching sessions, training and recognition; a rep's home page
(plans) lists their next coaching sessions. Imports run one way (coaching sits on top),
so the lower page names a *slot* and the higher app registers what fills it, from its
AppConfig.ready():

    panels.register("review", recognition_panel, order=20)

and the page renders the slot with the objects it has:

    {% load panels %}{% panels "review" review=review %}

A provider is ``provider(request, **objects) -> str``: the HTML of its panel (rendered
from its own template), or "" to show nothing. Each runs a fixed number of queries.
"""

from collections import defaultdict
from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

SLOTS = {
    "rep_home": "A rep's home page (their week); objects: user.",
    "manager_home": "A manager's home page (the team week); objects: team (the team shown).",
    "team_dashboard": "The team dashboard; objects: team, today (the company day).",
    "review": "One monthly review, beside its figures; objects: review.",
    "alert": "A deviation alert's page, under its facts; objects: episode.",
}

Provider = Callable[..., str]
_providers: dict[str, list[tuple[int, str, Provider]]] = defaultdict(list)


def register(slot: str, provider: Provider, *, order: int = 50) -> None:
    """Add ``provider`` to ``slot`` (once: registering again replaces it)."""
    if slot not in SLOTS:
        raise ValueError(f"No panel slot {slot!r}; the slots are {sorted(SLOTS)}.")
    name = f"{provider.__module__}.{provider.__qualname__}"
    entries = [entry for entry in _providers[slot] if entry[1] != name]
    entries.append((order, name, provider))
    _providers[slot] = sorted(entries, key=lambda entry: (entry[0], entry[1]))


def providers(slot: str) -> list[Provider]:
    return [provider for _, _, provider in _providers.get(slot, [])]


def render_slot(slot: str, request, **objects) -> SafeString:
    """The panels of ``slot``, in order, as one piece of HTML."""
    return mark_safe("".join(provider(request, **objects) or "" for provider in providers(slot)))
