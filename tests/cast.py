"""The cast (tests/conftest.py) as names, and what each of them may see.

Permission tables across the suite read these, so "who sees whom" is written once.
"""

ROLES = [
    "rep",
    "teammate",
    "other_team_rep",
    "south_rep",
    "manager",
    "other_manager",
    "south_manager",
    "director",
    "admin",
]
REPS = ["rep", "teammate", "other_team_rep", "south_rep"]

# Whose rows (plans, activities, goals, reviews, statements: anything a rep owns) each
# member of the cast sees: their own; a manager their team's; the director North's.
REP_ROWS_SEEN = {
    "rep": {"rep"},
    "teammate": {"teammate"},
    "other_team_rep": {"other_team_rep"},
    "south_rep": {"south_rep"},
    "manager": {"rep", "teammate"},
    "other_manager": {"other_team_rep"},
    "south_manager": {"south_rep"},
    "director": {"rep", "teammate", "other_team_rep"},
    "admin": set(REPS),
}
