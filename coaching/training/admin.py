"""Admin of coaching.training."""
