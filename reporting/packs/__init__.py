"""Report packs: chosen reports e-mailed every month to chosen people."""
