"""A load generator: GET / on a port at the rate written in a file (re-read every second).

``python -m nightowl_lab.sandbox.services.loadgen --port 9100 --rate-file load.json`` where the file is
``{"rate": 20}`` requests a second. Arrivals are open-loop (Poisson): a slow service does not slow
the load down, as with real users.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
from pathlib import Path

from nightowl_lab.sandbox.services.http import get

MAX_IN_FLIGHT = 3000


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--rate-file", type=Path, required=True)
    args = parser.parse_args()
    rng, rate, pending = random.Random(), 1.0, set[asyncio.Task[int]]()
    loop = asyncio.get_running_loop()
    next_read = 0.0
    while True:
        if loop.time() >= next_read:
            with contextlib.suppress(OSError, ValueError, KeyError):
                rate = max(0.1, float(json.loads(args.rate_file.read_text())["rate"]))
            next_read = loop.time() + 1.0
        await asyncio.sleep(rng.expovariate(rate))
        if len(pending) < MAX_IN_FLIGHT:
            task = asyncio.create_task(get(args.port, "/", timeout=15.0))
            pending.add(task)
            task.add_done_callback(pending.discard)


if __name__ == "__main__":
    asyncio.run(main())
