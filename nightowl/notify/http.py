"""What the HTTP notifiers (Slack, Teams, PagerDuty, webhook) share: who they are and one JSON POST.

Each notifier still owns its config model, its body and how it reads the answer; only the
constructor and the client's lifetime live here, so a timeout or a test transport is honoured the
same way by every one of them.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

import httpx

from nightowl.clock import Clock
from nightowl.errors import NotifyError


class _Timed(Protocol):
    @property
    def timeout_seconds(self) -> float: ...


C = TypeVar("C", bound=_Timed)


class HttpNotifier(Generic[C]):
    """The base of a notifier that POSTs JSON; subclasses set ``Config`` and write ``send``.

    ``transport`` is for tests (``httpx.MockTransport``); production uses httpx's own. A fresh
    client is opened per message, so one notifier is safe to share between concurrent sends.
    """

    def __init__(
        self,
        name: str,
        config: C,
        clock: Clock,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name = name
        self.config = config
        self.clock = clock
        self.transport = transport

    async def post_json(
        self, url: str, body: Any, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        """POST ``body`` as JSON to ``url`` within the config's timeout; any answer is returned.

        Raises httpx.HTTPError when no answer came (connection refused, timeout): each notifier
        turns that into its own ``Notification(ok=False)`` detail.
        """
        async with httpx.AsyncClient(
            timeout=self.config.timeout_seconds, transport=self.transport
        ) as client:
            return await client.post(url, json=body, headers=headers)

    def endpoint(self) -> str:
        """The URL messages go to (subclasses name theirs)."""
        raise NotImplementedError

    async def check(self) -> None:
        """Reach the endpoint without sending a message: a HEAD request, to which any HTTP answer
        (a 405 too) means reachable. Raises NotifyError naming only the scheme and host."""
        url = httpx.URL(self.endpoint())
        where = f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")
        try:
            async with httpx.AsyncClient(
                timeout=self.config.timeout_seconds, transport=self.transport
            ) as client:
                await client.head(url)
        except httpx.HTTPError as exc:
            raise NotifyError(
                f"cannot reach {where}: {type(exc).__name__}", notifier=self.name
            ) from None
