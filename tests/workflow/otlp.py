"""A real OTLP/HTTP receiver on loopback for the tests: it accepts ``POST /v1/traces`` with a
protobuf ``ExportTraceServiceRequest`` (as the official exporter sends it), decodes it with
``opentelemetry-proto`` and records every span; anything else is answered 404 or 400."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import AnyValue


@dataclass(frozen=True)
class Received:
    """One span as received: ids in hex, the resource's service name, attributes decoded."""

    name: str
    trace_id: str
    span_id: str
    parent_id: str
    service: str
    attributes: dict[str, object] = field(default_factory=dict)
    error: bool = False


def _value(value: AnyValue) -> object:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


class OtlpReceiver:
    """``with OtlpReceiver() as otlp:`` — ``otlp.url`` is the base URL to export to."""

    def __init__(self) -> None:
        self.spans: list[Received] = []
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                if self.path != "/v1/traces":
                    self.send_error(404)
                    return
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                try:
                    request = ExportTraceServiceRequest.FromString(body)
                except Exception:
                    self.send_error(400)
                    return
                receiver.record(request)
                answer = ExportTraceServiceResponse().SerializeToString()
                self.send_response(200)
                self.send_header("content-type", "application/x-protobuf")
                self.send_header("content-length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: object) -> None:
                del format, args

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def record(self, request: ExportTraceServiceRequest) -> None:
        found = []
        for resource in request.resource_spans:
            names = {a.key: _value(a.value) for a in resource.resource.attributes}
            for scope in resource.scope_spans:
                for span in scope.spans:
                    found.append(
                        Received(
                            name=span.name,
                            trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(),
                            parent_id=span.parent_span_id.hex(),
                            service=str(names.get("service.name")),
                            attributes={a.key: _value(a.value) for a in span.attributes},
                            error=span.status.code == span.status.STATUS_CODE_ERROR,
                        )
                    )
        with self.lock:
            self.spans.extend(found)

    def wait_for(self, until: Callable[[list[Received]], bool], timeout: float = 60.0) -> None:
        """Wait until ``until`` holds for the spans received so far; AssertionError otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if until(list(self.spans)):
                    return
            time.sleep(0.1)
        raise AssertionError(f"not received within {timeout}s: {[s.name for s in self.spans]}")

    def __enter__(self) -> OtlpReceiver:
        self.thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.server.shutdown()
        self.server.server_close()
