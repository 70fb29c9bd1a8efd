"""A scripted OpenAI-compatible chat-completions server on loopback, for tests and evals.

``ScriptedLLM`` serves ``POST /v1/chat/completions`` from a background thread (uvicorn on a free
127.0.0.1 port), answers each request with what its script returns, and keeps every request body it
received, so a test can inspect exactly what a model would have seen and count the calls. ``hold``
makes the first request of one turn wait until ``release()`` (a test kills nightowl meanwhile).

``sre_script`` is a small scripted investigator that behaves like a sensible model: the
diagnostician reads the deploys and error logs and blames a deploy of the paged service (citing the
call_ids it got back), the remediator proposes a rollback, the communicator writes a short story.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from fastapi import FastAPI, Request

from nightowl_lab.harness.ports import free_port

Body = dict[str, Any]
CALL_ID = re.compile(r'call_id="([^"]+)"')
ROLE = re.compile(r"Role: (\w+)")
DEPLOY = re.compile(r"(\S+) (\S+) → (\S+) by")


@dataclass
class Reply:
    """One answer: text, or tool calls (name, arguments)."""

    text: str | None = None
    tool_calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


def role_of(body: Body) -> str:
    """The agent role a request comes from (its instructions say ``Role: <name>``)."""
    for message in body.get("messages", []):
        if message.get("role") in ("system", "developer") and (
            found := ROLE.search(str(message.get("content")))
        ):
            return found.group(1)
    return "unknown"


def turn_of(body: Body) -> int:
    """How many answers the model already gave in this conversation."""
    return sum(1 for m in body.get("messages", []) if m.get("role") == "assistant")


def tool_results(body: Body) -> list[str]:
    """The contents of every tool message in the request, in order."""
    return [str(m.get("content")) for m in body.get("messages", []) if m.get("role") == "tool"]


def output_tool(body: Body) -> str:
    """The name pydantic-ai gave the run's output tool (``final_result…``), as the request lists
    it.
    """
    names = [t["function"]["name"] for t in body.get("tools", [])]
    return next((n for n in names if n.startswith("final_result")), "final_result")


def text_of(body: Body) -> str:
    """Every message of the request as one text, for the script's regular expressions."""
    return "\n".join(str(m.get("content")) for m in body.get("messages", []))


def sre_script(body: Body, confidence: float = 0.6) -> Reply:
    """The default script: the diagnostician reads deploys and error logs, then names a bad
    deploy of the paged service when one shows in the results (else a dependency failure) at
    ``confidence``; the remediator proposes a rollback, then answers; the narrator answers
    straight away.
    """
    role, turn = role_of(body), turn_of(body)
    service = (re.search(r"service: (\S+)", text_of(body)) or [None, "unknown"])[1]
    if role == "diagnostician" and turn == 0:
        return Reply(
            tool_calls=[
                ("recent_deploys", {"service": service}),
                ("search_logs", {"service": service, "min_level": "ERROR"}),
            ]
        )
    if role == "diagnostician":
        results = "\n".join(tool_results(body))
        deploy = next((m for m in DEPLOY.finditer(results) if m.group(1) == service), None)
        claim = {
            "kind": "bad_deploy" if deploy else "dependency_failure",
            "service": service,
            "deploy": deploy.group(3) if deploy else None,
            "summary": f"{service} started failing after its latest change.",
        }
        finding = {
            "root_cause": claim,
            "confidence": confidence,
            "evidence": CALL_ID.findall(results),
            "risk": "low",
            "rollback_plan": "roll forward to the fixed version",
        }
        return Reply(tool_calls=[(output_tool(body), finding)])
    if role == "remediator" and turn == 0:
        reason = "the deploy caused the failure"
        return Reply(
            tool_calls=[
                ("propose_action", {"kind": "rollback", "service": service, "reason": reason})
            ]
        )
    if role == "remediator":
        actions = [{"kind": "rollback", "service": service, "reason": "the deploy caused it"}]
        return Reply(tool_calls=[(output_tool(body), {"actions": actions})])
    story = {
        "summary": f"{service} failed after a deploy and was rolled back.",
        "status_update": f"{service} is being handled by nightowl.",
        "narrative": f"{service} began failing; nightowl found the cause and acted.",
    }
    return Reply(tool_calls=[(output_tool(body), story)])


class ScriptedLLM:
    """The server; ``requests`` holds every body received, in order."""

    def __init__(
        self, script: Callable[[Body], Reply] = sre_script, *, hold: tuple[str, int] | None = None
    ) -> None:
        self.script = script
        self.requests: list[Body] = []
        self.hold = hold
        self._held = threading.Event()
        self._release = threading.Event()
        self.port = free_port()
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """The OpenAI-compatible base URL to configure nightowl's provider with."""
        return f"http://127.0.0.1:{self.port}/v1"

    def turns(self) -> list[tuple[str, int]]:
        """(role, turn) of every request received, in order."""
        return [(role_of(b), turn_of(b)) for b in self.requests]

    def wait_held(self, timeout: float = 60.0) -> None:
        """Block until a request reached the held (role, turn); TimeoutError after ``timeout``
        seconds.
        """
        if not self._held.wait(timeout):
            raise TimeoutError(f"no request reached the held turn {self.hold} in {timeout}s")

    def release(self) -> None:
        """Let the held request (and every later one) through."""
        self.hold = None
        self._release.set()

    def app(self) -> FastAPI:
        """The FastAPI app serving ``POST /v1/chat/completions`` from the script, holding the
        chosen turn.
        """
        api = FastAPI()

        @api.post("/v1/chat/completions")
        async def complete(request: Request) -> Body:
            body: Body = await request.json()
            self.requests.append(body)
            if self.hold is not None and (role_of(body), turn_of(body)) == self.hold:
                self.hold = None
                self._held.set()
                while not self._release.is_set():
                    await asyncio.sleep(0.05)
            return _completion(body, self.script(body), len(self.requests))

        return api

    def start(self) -> ScriptedLLM:
        """Serve on the loopback port in a daemon thread; TimeoutError when it is not up within
        10 s.
        """
        config = uvicorn.Config(self.app(), host="127.0.0.1", port=self.port, log_level="warning")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="scripted-llm", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("the scripted LLM server did not start within 10s")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Release any held request and stop the server (waiting up to 10 s for its thread)."""
        self._release.set()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def __enter__(self) -> ScriptedLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _completion(body: Body, reply: Reply, n: int) -> Body:
    calls = [
        {
            "id": f"call_{n}_{i}",
            "type": "function",
            "function": {"name": name, "arguments": json.dumps(args)},
        }
        for i, (name, args) in enumerate(reply.tool_calls)
    ]
    prompt_tokens = len(json.dumps(body.get("messages", []))) // 4
    message: Body = {"role": "assistant", "content": reply.text}
    if calls:
        message["tool_calls"] = calls
    return {
        "id": f"chatcmpl-{n}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", "scripted"),
        "choices": [
            {"index": 0, "message": message, "finish_reason": "tool_calls" if calls else "stop"}
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": 20,
            "total_tokens": prompt_tokens + 20,
        },
    }
