"""KPIs: the admin's indicators, their values, and the deviation alerts."""
