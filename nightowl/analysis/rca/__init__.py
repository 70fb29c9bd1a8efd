"""Root-cause ranking for the analyze and diagnose stages: which service a fault started in."""
