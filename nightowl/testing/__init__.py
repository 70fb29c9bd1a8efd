"""Fakes for every protocol, for nightowl's tests and for users' own tests."""
