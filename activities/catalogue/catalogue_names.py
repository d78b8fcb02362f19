"""The names the migrations seed into the catalogue (activities/migrations/0003 and 0005),
listed for makemessages: they stay stored in English and are shown in the reader's
language through ``label`` / ``salesmgmt.i18n.translated_name``. The demo creates no
other metric, channel, pipeline, stage or lost reason. Nothing imports this module."""

from django.utils.translation import gettext_noop

METRICS = [
    gettext_noop("Calls"),
    gettext_noop("Contacts reached"),
    gettext_noop("Leads created"),
    gettext_noop("Appointments set"),
    gettext_noop("Appointments held"),
    gettext_noop("Meetings"),
    gettext_noop("Proposals sent"),
    gettext_noop("Sales closed"),
    gettext_noop("Sales value"),
    gettext_noop("Up-sells"),
]

CHANNELS = [
    gettext_noop("Walk-in"),
    gettext_noop("Outbound phone"),
    gettext_noop("Inbound phone"),
    gettext_noop("E-mail"),
    gettext_noop("Field visit"),
    gettext_noop("Referral"),
    gettext_noop("Online"),
]

LOST_REASONS = [
    gettext_noop("Price"),
    gettext_noop("Product fit"),
    gettext_noop("Timing"),
    gettext_noop("Competitor"),
    gettext_noop("No budget"),
    gettext_noop("No response"),
    gettext_noop("Other"),
]

PIPELINES = [
    gettext_noop("New business"),
    gettext_noop("Renewals"),
]

STAGES = [
    # New business
    gettext_noop("Lead"),
    gettext_noop("Contacted"),
    gettext_noop("Appointment set"),
    gettext_noop("Appointment held"),
    gettext_noop("Proposal"),
    gettext_noop("Negotiation"),
    gettext_noop("Won"),
    gettext_noop("Lost"),
    # Renewals
    gettext_noop("Renewal due"),
    gettext_noop("In talks"),
    gettext_noop("Quoted"),
    gettext_noop("Renewed"),
    gettext_noop("Churned"),
]
