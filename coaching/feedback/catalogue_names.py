"""The seeded feedback questions (coaching/migrations/0002), listed for makemessages.

They stay stored in English; pages, API and CSV show them through
``FeedbackQuestion.label`` (salesmgmt.i18n.translated_name), so a question an admin
typed reads as typed. Nothing imports this module; makemessages reads it.
"""

from django.utils.translation import gettext_noop

QUESTIONS = [
    gettext_noop("My manager makes clear what is expected of me."),
    gettext_noop("My manager helps me win deals."),
    gettext_noop("Coaching with my manager is useful."),
    gettext_noop("My manager recognises good work."),
    gettext_noop("I can raise problems without fear."),
]
