"""Goals: targets at every level, their pace and attainment, history, reverse funnel."""
