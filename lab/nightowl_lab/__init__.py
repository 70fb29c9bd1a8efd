"""nightowl's lab: everything used to develop, test and measure nightowl that is not the product.

The scenario simulator (``sim``), the sandbox shop (``sandbox``), the benchmark runners
(``eval``), the server harnesses (``harness``) and their commands (``cli``). It imports nightowl;
nightowl never imports it and finds its plugins only through entry points.
"""

__version__ = "0.1.0"
