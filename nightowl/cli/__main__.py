"""``python -m nightowl.cli``: the same as the ``nightowl`` command."""

from nightowl.cli.main import main

main()
