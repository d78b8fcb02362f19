"""Notifications: the bell, e-mail delivery through the outbox, preferences, API."""
