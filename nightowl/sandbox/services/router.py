"""A tiny round-robin TCP router: one stable port per service, spread over its replicas.

``python -m nightowl.sandbox.services.router --routes routes.json`` where the file is
``{"checkout": {"port": 9101, "backends": [9201, 9202]}}``. The file is re-read when it changes, so
scaling out is: start a replica, add its port to the file (what the sandbox driver does).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
from pathlib import Path


class Routes:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.mtime = 0.0
        self.backends: dict[str, list[int]] = {}
        self.turns: dict[str, itertools.count[int]] = {}

    def reload(self) -> dict[str, int]:
        """Re-read the file if it changed; the service → port map."""
        mtime = self.path.stat().st_mtime
        table = json.loads(self.path.read_text())
        if mtime != self.mtime:
            self.mtime = mtime
            self.backends = {s: list(r["backends"]) for s, r in table.items()}
        return {s: int(r["port"]) for s, r in table.items()}

    def pick(self, service: str) -> int:
        ports = self.backends[service]
        turn = next(self.turns.setdefault(service, itertools.count()))
        return ports[turn % len(ports)]


async def _pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await reader.read(65536):
            writer.write(data)
            await writer.drain()
    with contextlib.suppress(ConnectionError, OSError):
        writer.close()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--routes", type=Path, required=True)
    routes = Routes(parser.parse_args().routes)

    def front(service: str) -> object:
        async def on_connection(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            try:
                br, bw = await asyncio.open_connection("127.0.0.1", routes.pick(service))
            except OSError:
                w.close()
                return
            await asyncio.gather(_pipe(r, bw), _pipe(br, w))

        return on_connection

    servers = [
        await asyncio.start_server(front(s), "127.0.0.1", port, backlog=4096)  # type: ignore[arg-type]
        for s, port in routes.reload().items()
    ]
    while servers:
        await asyncio.sleep(0.5)
        with contextlib.suppress(OSError, ValueError):
            routes.reload()


if __name__ == "__main__":
    asyncio.run(main())
