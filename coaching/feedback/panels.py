"""What coaching.feedback shows on lower apps' pages (see salesmgmt.panels)."""
