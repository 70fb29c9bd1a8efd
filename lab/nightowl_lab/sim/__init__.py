"""Simulation: the scenario format, replay connectors and the simulated cluster (a product feature)."""
