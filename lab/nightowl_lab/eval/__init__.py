"""Evaluation: scorecards and benchmark runners over scenarios and public datasets."""
