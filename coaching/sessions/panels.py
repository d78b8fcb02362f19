"""What coaching.sessions shows on lower apps' pages (see salesmgmt.panels)."""
