"""A tiny round-robin TCP router: one stable port per service, spread over its replicas.

``python -m nightowl_lab.sandbox.services.router --routes routes.json`` where the file is
``{"checkout": {"port": 9101, "backends": [9201, 9202]}}``. The file is re-read when it changes, so
scaling out is: start a replica, add its port to the file (what the sandbox driver does).

With ``--metrics-port`` it serves Prometheus metrics there, as an ingress or a service mesh would:
``router_connections_total{service}`` (connections taken) and
``router_requests_total{service,code="502"}`` (connections it could not hand to any replica, the
502 an L7 proxy would answer), so a service whose processes do not listen still shows errors.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
from collections import Counter
from pathlib import Path

from nightowl_lab.sandbox.services.http import serve


class Routes:
    """The router's table of service → replica ports, reloaded from ``routes.json`` when it
    changes.
    """

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
        """The next replica port of ``service``, round robin."""
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
    parser.add_argument("--metrics-port", type=int, default=0)
    args = parser.parse_args()
    routes = Routes(args.routes)
    taken: Counter[str] = Counter()
    refused: Counter[str] = Counter()

    async def metrics(method: str, path: str) -> tuple[int, str, str]:
        out = ["# TYPE router_connections_total counter"]
        out += [f'router_connections_total{{service="{s}"}} {n}' for s, n in taken.items()]
        out.append("# TYPE router_requests_total counter")
        out += [f'router_requests_total{{service="{s}",code="502"}} {refused[s]}' for s in taken]
        return 200, "text/plain; version=0.0.4", "\n".join(out) + "\n"

    def front(service: str) -> object:
        async def on_connection(r: asyncio.StreamReader, w: asyncio.StreamWriter) -> None:
            taken[service] += 1
            refused[service] += 0
            try:
                br, bw = await asyncio.open_connection("127.0.0.1", routes.pick(service))
            except OSError:
                refused[service] += 1
                w.close()
                return
            await asyncio.gather(_pipe(r, bw), _pipe(br, w))

        return on_connection

    servers = [
        await asyncio.start_server(front(s), "127.0.0.1", port, backlog=4096)  # type: ignore[arg-type]
        for s, port in routes.reload().items()
    ]
    if args.metrics_port:
        await serve(metrics, args.metrics_port)
    while servers:
        await asyncio.sleep(0.5)
        with contextlib.suppress(OSError, ValueError):
            routes.reload()


if __name__ == "__main__":
    asyncio.run(main())
