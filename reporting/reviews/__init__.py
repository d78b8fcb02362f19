"""The monthly review: computed by the job, annotated by the manager, read by the rep."""
