"""The rightsizing watcher: workloads and node pools whose requested capacity sits far above
what they used over the metrics backend's history, idle ones, and batch jobs running far past
their usual duration — each a finding with the monthly saving and a scale-down proposed as a
staged, reversible action, never below the last peak plus headroom. Reads metrics only; the
proposed actions go through the policy like every other write.
"""
