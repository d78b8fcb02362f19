"""What coaching.recognition shows on lower apps' pages (see salesmgmt.panels)."""
