"""The seeded focus areas' names (coaching 0002), listed for makemessages.

They stay stored in English; ``FocusArea.label`` (and ``str()``) reads them in the
reader's language through salesmgmt.i18n.translated_name. A name an admin types later
reads as typed. Nothing imports this module."""

from django.utils.translation import gettext_noop

FOCUS_AREAS = [
    gettext_noop("Prospecting"),
    gettext_noop("Presentation"),
    gettext_noop("Closing"),
    gettext_noop("Product knowledge"),
    gettext_noop("Territory planning"),
    gettext_noop("Communication"),
    gettext_noop("Time management"),
    gettext_noop("Competitive intelligence"),
    gettext_noop("Opportunity management"),
]
