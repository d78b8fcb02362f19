"""The global search: a results page that works as a plain form, and the fragment the
top bar's box fetches (HTMX) as one types."""

from django.shortcuts import render

from activities.search import selectors

DROPDOWN_LIMIT = 5


def _context(request, limit: int) -> dict:
    text = selectors.clean_query(request.GET.get("q"))
    return {
        "q": text,
        "too_short": bool(text) and selectors.is_too_short(text),
        "min_length": selectors.MIN_LENGTH,
        "results": selectors.search(request.user, text, limit=limit),
    }


def search_page(request):
    """GET ?q=: customers, contacts, deals and reps the viewer may see that match."""
    return render(request, "activities/search/page.html", _context(request, selectors.LIMIT))


def search_dropdown(request):
    """The first few of each kind, under the top bar's search box."""
    return render(request, "activities/search/_dropdown.html", _context(request, DROPDOWN_LIMIT))
