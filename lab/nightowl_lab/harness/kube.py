"""A Kubernetes API emulator on loopback (``kmock``), for tests of code using the sync client.

::

    with KubeEmulator() as kube:
        kube.add("v1/pods", "shop", {"metadata": {"name": "checkout-1", ...}, "status": {...}})
        kube.pod_log("checkout-1", "2026-11-20T03:00:00Z boom\\n")
        ... # point the kubernetes client (or nightowl's connector) at kube.url

kmock's ``KubernetesEmulator`` keeps objects in memory and serves list, get, create, patch and
delete like an API server (it does not apply label selectors); it runs here on its own event loop
in a background thread, so synchronous clients can call it. Needs ``kmock`` (a test extra).
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import Future
from types import TracebackType
from typing import Any

import kmock


class KubeEmulator:
    """One emulated API server; a context manager that starts and stops it."""

    def __init__(self) -> None:
        self.url = ""
        self._loop: asyncio.AbstractEventLoop | None = None
        self._handler: Any = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._failure: BaseException | None = None

    def start(self) -> KubeEmulator:
        """Start the emulated Kubernetes API in a daemon thread; RuntimeError when it is not up
        within 30 s.
        """
        self._thread = threading.Thread(target=self._run, name="kmock", daemon=True)
        self._thread.start()
        if not self._ready.wait(30) or self._failure is not None:
            raise RuntimeError(f"the kmock emulator did not start: {self._failure}")
        return self

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # noqa: BLE001 — reported to the starting thread
            self._failure = exc
            self._ready.set()

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        async with kmock.KubernetesEmulator() as handler, kmock.Server(handler) as server:
            self._handler = handler
            self.url = str(server.url).rstrip("/")
            self._ready.set()
            await self._stop.wait()

    def _call(self, fn: Any) -> Any:
        if self._loop is None:
            raise RuntimeError("the emulator is not started")

        async def apply() -> Any:
            return fn(self._handler)

        future: Future[Any] = asyncio.run_coroutine_threadsafe(apply(), self._loop)
        return future.result(timeout=10)

    def add(self, resource: str, namespace: str, obj: dict[str, Any]) -> None:
        """Store ``obj`` (its ``metadata.name`` names it) under ``resource`` such as ``v1/pods``."""
        name = obj["metadata"]["name"]
        obj["metadata"].setdefault("namespace", namespace)

        def put(handler: Any) -> None:
            handler.objects[kmock.resource(resource), namespace, name] = obj

        self._call(put)

    def declare(self, resource: str) -> None:
        """Make ``resource`` known (listed empty) without adding an object."""

        def put(handler: Any) -> None:
            handler.resources[kmock.resource(resource)] = {}

        self._call(put)

    def pod_log(self, pod: str, text: str) -> None:
        """Answer reads of ``pod``'s log with ``text`` (lines prefixed by RFC 3339 timestamps)."""

        def put(handler: Any) -> None:
            handler["get", kmock.subresource("log"), kmock.name(pod)] << text.encode()

        self._call(put)

    def server_version(self, git_version: str) -> None:
        """Answer ``GET /version`` as an API server at ``git_version`` (``v1.29.4``) does."""
        major, minor = git_version.lstrip("v").split(".")[:2]
        body = {
            "major": major,
            "minor": minor,
            "gitVersion": git_version,
            "platform": "linux/amd64",
        }

        def put(handler: Any) -> None:
            handler["get /version/"] << body

        self._call(put)

    def stop(self) -> None:
        """Stop the emulator and wait up to 10 s for its thread."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._loop = None

    def __enter__(self) -> KubeEmulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
