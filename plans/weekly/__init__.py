"""The weekly plan cycle: a rep's week, planning, review by the manager, reminders."""
