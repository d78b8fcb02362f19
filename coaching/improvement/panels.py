"""What coaching.improvement shows on lower apps' pages (see salesmgmt.panels)."""
