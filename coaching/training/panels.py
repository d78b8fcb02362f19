"""What coaching.training shows on lower apps' pages (see salesmgmt.panels)."""
