"""The act stage: write-side drivers with plan, dry-run, apply, pre-state and rollback."""
