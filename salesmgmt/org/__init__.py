"""The organisation: users, teams, divisions, profiles, API tokens."""
