"""The one error tree of nightowl.

::

    NightowlError
    ├── ConfigError            bad nightowl.yaml or environment: permanent, the user must fix it
    ├── InputError             bad input from a user or a sender: permanent, answered with a 4xx
    │   ├── PayloadError       a webhook body that does not parse (names the field)
    │   ├── AuthError          missing or wrong credentials (401)
    │   └── ForbiddenError     known caller, but their role does not allow the act (403)
    ├── NotFoundError          no such incident, silence, ...
    ├── ConnectorError         a backend we read from failed; ``retryable`` says whether to try again
    ├── NotifyError            a notifier's endpoint cannot be reached (a live check; sends never raise)
    ├── ActionError            a driver could not act; ``retryable`` says whether to try again
    │   └── HaltedError        the kill switch is on: nothing is written until a human turns it off
    ├── WatcherError           a watcher could not look (a plan, a binary, a repository); ``retryable``
    └── StoreError             the database failed

Every message says what was wrong and, where the user can act, what to do.
"""

from __future__ import annotations


class NightowlError(Exception):
    """Base of every error nightowl raises on purpose."""

    retryable: bool = False


class ConfigError(NightowlError):
    """The configuration is invalid. ``where`` names the file and key."""

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class InputError(NightowlError):
    """Input from a user or a sender is invalid; maps to a 4xx answer."""

    status_code = 400


class PayloadError(InputError):
    """A webhook body could not be read. ``field`` is the dotted path of the offending field."""

    status_code = 422

    def __init__(self, message: str, *, source: str, field: str | None = None) -> None:
        self.source = source
        self.field = field
        where = f" at '{field}'" if field else ""
        super().__init__(f"{source} payload{where}: {message}")


class AuthError(InputError):
    """Missing or wrong credentials (answered 401)."""

    status_code = 401


class ForbiddenError(InputError):
    """The caller is known but may not do this (``nightowl.app.access``): says which role would."""

    status_code = 403


class ConflictError(InputError):
    """The request is valid but what it names is not in a state that allows it (answered 409):
    the message says which state it is in and what to do instead."""

    status_code = 409


class NotFoundError(NightowlError):
    """No such incident, silence, approval or dead letter (answered 404). Permanent."""

    status_code = 404


class ConnectorError(NightowlError):
    """A read from a backend failed. The message names the connector, its URL and the answer."""

    def __init__(self, message: str, *, connector: str, retryable: bool = True) -> None:
        self.connector = connector
        self.retryable = retryable
        super().__init__(f"connector {connector!r}: {message}")


class NotifyError(NightowlError):
    """A notifier's endpoint cannot be reached (``nightowl config check --live``). Sending never
    raises: a failed delivery is a ``Notification(ok=False)``. The message names the notifier and
    the endpoint's scheme and host only (webhook URLs carry secrets)."""

    retryable = True

    def __init__(self, message: str, *, notifier: str) -> None:
        self.notifier = notifier
        super().__init__(f"notifier {notifier!r}: {message}")


class ActionError(NightowlError):
    """A driver could not act. The message names the driver; ``retryable`` is the driver's
    judgement (a timeout may pass, a refused operation will not).
    """

    def __init__(self, message: str, *, driver: str, retryable: bool = False) -> None:
        self.driver = driver
        self.retryable = retryable
        super().__init__(f"action driver {driver!r}: {message}")


class HaltedError(ActionError):
    """The kill switch is on: the write was not attempted. Permanent until a human turns it off."""

    def __init__(self, message: str, *, driver: str = "any") -> None:
        super().__init__(message, driver=driver, retryable=False)


class WatcherError(NightowlError):
    """A watcher could not look: nothing it found before is marked fixed. The message names the
    watcher and what failed; ``retryable`` says whether the next run may do better."""

    def __init__(self, message: str, *, watcher: str, retryable: bool = False) -> None:
        self.watcher = watcher
        self.retryable = retryable
        super().__init__(f"watcher {watcher!r}: {message}")


class StoreError(NightowlError):
    """The database failed to answer: retryable, since a restarted server or a released lock
    heals it.
    """

    retryable = True
