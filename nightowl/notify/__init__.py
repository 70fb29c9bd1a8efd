"""The notify stage: tell humans what happened, through configured notifiers."""
