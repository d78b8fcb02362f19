"""Customers and contacts: list, lost-customer report, detail, edit, CSV import, API."""
