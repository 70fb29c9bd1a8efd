"""Simulation: the scenario format and generator, the simulated world, the replay connector and
the simulated cluster driver (plugins of kinds ``replay`` and ``simulated``)."""
