"""Chaos testing: serve nightowl with its workflow held after one stage, so a test can kill the
process exactly between two durable steps.

``python -m nightowl_lab.harness.chaos --pause-after diagnose --pause-seconds 600 --config FILE
--port N`` runs the product's ``nightowl serve`` with a pause after the named stage; in-process,
``pause_after(app, stage, seconds)`` does the same to a ``Nightowl`` before it launches. The pause
lives here, in the lab, so that no production setting exists to hold a workflow.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from nightowl.app import Nightowl
from nightowl.cli.common import settings_from
from nightowl.cli.serve import run_server, with_role
from nightowl.domain import StageName

log = logging.getLogger(__name__)


def pause_after(app: Nightowl, stage: StageName, seconds: float) -> None:
    """Hold every workflow of ``app`` for ``seconds`` after ``stage`` completes."""

    async def pause(done: StageName) -> None:
        if done is stage:
            log.warning("chaos: pausing %.0fs after stage %s", seconds, stage.value)
            await asyncio.sleep(seconds)

    app.pipeline.after_stage = pause


def main(argv: list[str] | None = None) -> None:
    """``nightowl serve`` with every workflow paused after ``--pause-after``: the crash tests
    kill it while an incident waits between stages.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pause-after", type=StageName, required=True)
    parser.add_argument("--pause-seconds", type=float, default=600.0)
    parser.add_argument("--config", type=Path, required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--role", choices=("api", "worker", "all"), default=None)
    args = parser.parse_args(argv)
    settings = with_role(settings_from(args.config, None), args.role)
    run_server(
        settings,
        args.host,
        args.port,
        lambda app: pause_after(app, args.pause_after, args.pause_seconds),
    )


if __name__ == "__main__":
    main()
