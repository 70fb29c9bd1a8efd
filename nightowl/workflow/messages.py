"""Waking an incident's workflow: a DBOS message to the workflow whose id is the incident id.

Inside a launched nightowl (the API server) the message goes through DBOS itself; from another
process (the CLI) through a DBOS client on the same system database. Messages are durable: one
sent before the workflow starts waiting is received when it does.
"""

from __future__ import annotations

from typing import Any

from dbos import DBOS, DBOSClient

from nightowl.approvals.requests import TOPIC


async def wake(incident_id: str, message: dict[str, Any], *, system_url: str | None) -> None:
    """Send ``message`` on the approval topic; ``system_url`` None means DBOS runs in-process."""
    if system_url is None:
        await DBOS.send_async(incident_id, message, topic=TOPIC)
        return
    client = DBOSClient(system_database_url=system_url)
    try:
        await client.send_async(incident_id, message, topic=TOPIC)
    finally:
        client.destroy()
