"""Kubernetes: pods, events, rollouts, deploy history, pod logs and service topology."""
