"""The shape check every source contract starts with: the protocol's methods, as declared."""

from __future__ import annotations

import inspect
import typing
from typing import Any

from nightowl.connectors import protocols


def same_shape(protocol: type[Any], impl: type[Any]) -> None:
    """Assert ``impl`` has each method of ``protocol`` (and ``check``) with the same parameter
    names, type hints and sync/async kind (an async generator stands for ``tail``)."""
    names = [n for n, v in vars(protocol).items() if callable(v) and not n.startswith("_")]
    for name in [*names, "check"]:
        expected = getattr(protocol if name != "check" else protocols.Checkable, name)
        actual = getattr(impl, name)
        assert list(inspect.signature(actual).parameters) == list(
            inspect.signature(expected).parameters
        ), name
        ns = vars(protocols) | vars(typing)
        assert typing.get_type_hints(actual, ns) == typing.get_type_hints(expected, ns), name
        assert inspect.iscoroutinefunction(actual) == inspect.iscoroutinefunction(expected) or (
            inspect.isasyncgenfunction(actual) and name == "tail"
        ), name
