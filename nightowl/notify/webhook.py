"""``kind: webhook`` — POST each message as JSON to a URL (a user's own automation or chat bridge)."""

from __future__ import annotations

import httpx
from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from nightowl.domain import Notification
from nightowl.notify.http import HttpNotifier
from nightowl.notify.protocol import Message
from nightowl.settings.base import secret_http_url


class WebhookConfig(BaseModel):
    """``kind: webhook``: the URL to POST to, and an optional bearer token."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    url: str
    token: SecretStr | None = None
    timeout_seconds: float = 5.0

    _url = field_validator("url")(secret_http_url)


class WebhookNotifier(HttpNotifier[WebhookConfig]):
    """POSTs each message as JSON; any 2xx is delivered. Details name only the URL's scheme and
    host, since webhook URLs often carry their secret.
    """

    Config = WebhookConfig

    def endpoint(self) -> str:
        return self.config.url

    @property
    def _where(self) -> str:
        """The URL without credentials, path or query: webhook URLs often carry their secret."""
        url = httpx.URL(self.config.url)
        return f"{url.scheme}://{url.host}" + (f":{url.port}" if url.port else "")

    async def send(self, message: Message) -> Notification:
        """POST ``message``; ``ok=False`` on a non-2xx answer or no answer."""
        headers = (
            {"Authorization": f"Bearer {self.config.token.get_secret_value()}"}
            if self.config.token
            else {}
        )
        at = self.clock.now()
        try:
            response = await self.post_json(
                self.config.url, message.model_dump(mode="json"), headers
            )
        except httpx.HTTPError as exc:
            return Notification(
                channel=self.name,
                ok=False,
                sent_at=at,
                detail=f"POST {self._where} failed: {type(exc).__name__}",
            )
        ok = response.is_success
        return Notification(
            channel=self.name,
            ok=ok,
            sent_at=at,
            detail=f"POST {self._where} answered {response.status_code}",
        )
