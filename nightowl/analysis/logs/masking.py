"""Variable masking: the values a log message shows by their form alone become ``<*>``.

Only forms that are values in every log format are masked here — anything with a digit
(numbers, ids, addresses, versions, times), URLs after the scheme, absolute and relative paths,
dates with month names, MAC addresses, and qualified names with two dots or more (a host, a
package, a class: a path in a namespace). Words without a digit (a user, a queue, a state) are
left to the statistics of ``grouping``, which see how a word behaves across lines.

How much of a token is the value follows the token's own punctuation:

* ``key=value``: the key is kept, even with a digit (``PSR0=<*>``, ``uid=<*>``);
* an alphabetic prefix joined by ``.``, ``-`` or ``#`` is kept (``core.<*>``, ``node-<*>``);
  one joined by ``_`` is part of an identifier (``blk_-12``, ``attempt_1_2`` are one value);
* a unit right after a number belongs to the value (``9.2 KB`` is one ``<*>``);
* variables joined by nothing, a dot, a colon or a space collapse into one (``<*>:<*>``), as
  Loghub-2.0 writes them; a list keeps its commas (``<*>,<*>``) and ``##`` (``<*>##<*>``).

Masking is pure. Masked tokens are memoised (by token and by digit shape) in a bounded
module-level dict; its operations are atomic, so threads may share it.
"""

from __future__ import annotations

import re

VAR = "<*>"
_MARK = "\x00"  # stands for a span already recognised as a value, before tokenising

_WEEKDAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*"
_CLOCK = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?"

# Spans that may contain spaces or delimiters, recognised on the whole line before tokenising.
# Each pattern runs only when a cheap test says it can match (masking runs on cache misses, but
# those dominate the cost on logs full of host names).
_DATE = re.compile(
    rf"\b(?:{_WEEKDAY},?\s+)?{_MONTH}\s+\d{{1,2}}(?:,?\s+\d{{4}})?(?:\s+{_CLOCK})?"
    r"(?:\s+[A-Z]{2,5}\s+\d{4}\b|\s+\d{4}\b)?"
)
_DATE_HINT = re.compile(rf"{_MONTH}\s+\d").search
_URL_REST = re.compile(r"(?<=://)[^\s,;\"'()\[\]{}<>]+")  # keep the scheme: hdfs://<*>
_PATH = re.compile(
    r"(?<![\w.~:/-])(?:/[^\s/,;:\"'()\[\]{}<>]+)+/?"  # absolute
    r"|(?<![\w.~:/-])[\w.{}\x00-]+(?:/[^\s/,;:\"'()\[\]{}<>]+){2,}/?"  # relative, a/b/c
)
_TIME = re.compile(rf"(?<![\d:]){_CLOCK}")
_MAC = re.compile(r"\b[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2}){5}\b")

# A token needs a closer look when it has a digit, a marked span, a dot or a slash; other
# tokens are words (or words with punctuation) and stay as they are, without leaving C.
_VALUE_TOKEN = re.compile(r"(?<!\S)[^\s\d\x00./]*+[\d\x00./]\S*")
_UNIT_AFTER_VALUE = re.compile(r"<\*> (?:[KMGTP]i?B|B|[mun]?s|sec|secs|mins?)(?=[,;)\]}]*(?: |$))")
_DIGIT_RUN = re.compile(r"[0-9][0-9a-fA-F]*+(?!=)")  # a digit and the hex digits after it
_MEMO: dict[str, str] = {}
_MEMO_SIZE = 65_536
_SPLIT = re.compile(r"([=,:;()\[\]{}\"'|/]|#{2,}|\.{2,}|\.$)")
_HAS_VALUE = re.compile(r"[\d\x00]").search
_PREFIX = re.compile(r"^(?:[A-Za-z]+[.#-]|#)")
_NESTED = re.compile(r"[^.#-]*[.#-]").match
_HEX = re.compile(r"[0-9a-fA-F]{8,}").fullmatch
_DOTTED = re.compile(r"\.?(?:[\w-]+\.){2,}[\w-]*[a-z0-9][\w-]*").fullmatch


def _mask_segment(seg: str, nxt: str, after: str) -> str:
    """Mask one delimiter-free piece of a token. ``nxt`` is the delimiter after it."""
    if nxt == "=":
        return seg  # a key, even when it has a digit (PSR0=...)
    if _HAS_VALUE(seg):
        prefix = _PREFIX.match(seg)
        if prefix and not _NESTED(seg, prefix.end()):
            return prefix.group() + VAR
        return VAR
    if len(seg) >= 8 and _HEX(seg):
        return VAR
    if "." in seg and (_DOTTED(seg) or (nxt == ":" and _HAS_VALUE(after))):
        return VAR
    return seg


def _mask_token(tok: str) -> str:
    if "/" in tok:
        if "://" in tok:
            tok = _URL_REST.sub(_MARK, tok)
        tok = _PATH.sub(_MARK, tok)
    if ":" in tok and "," in tok:
        tok = _TIME.sub(_MARK, tok)  # 15:42:50,001 is one value, not a list of two
    parts = _SPLIT.split(tok)
    n = len(parts)
    for i in range(0, n, 2):
        seg = parts[i]
        if seg:
            nxt = parts[i + 1] if i + 1 < n else ""
            after = parts[i + 2] if i + 2 < n else ""
            parts[i] = _mask_segment(seg, nxt, after)
    out = "".join(parts)
    if VAR in out:
        out = _collapse(out)
    return out


def _collapse(text: str) -> str:
    """Merge variables joined by nothing, a dot or a colon (Loghub-2.0's normalisation).

    A comma is kept: ``<*>,<*>`` is a list, and Loghub-2.0 writes it so.
    """
    while True:
        before = text
        text = text.replace("<*><*>", VAR).replace("<*>.<*>", VAR).replace("<*>:<*>", VAR)
        if text == before:
            return text


def _mark_spans(message: str) -> str:
    if _DATE_HINT(message):
        message = _DATE.sub(_MARK, message)
    if message.count(":") >= 5:
        message = _MAC.sub(_MARK, message)
    return message


def mask_tokens(message: str) -> list[str]:
    """The masked tokens of ``message`` (split on whitespace, variables as ``<*>``)."""
    line = _VALUE_TOKEN.sub(_masked, _mark_spans(message))
    if VAR not in line:
        return line.split()
    line = " ".join(line.split())
    if "<*> " in line:
        line = _UNIT_AFTER_VALUE.sub(VAR, line)  # "9.2 KB" is one value
        while "<*> <*>" in line:
            line = line.replace("<*> <*>", VAR)  # consecutive variables are one variable
    return line.split(" ")


def _masked(found: re.Match[str]) -> str:
    """The masked form of one token, memoised by the token and by its digit shape.

    Masking depends on where the digits are, not on which digits (an id with new digits is
    masked like the last one), except in a clock with a comma (``15:42:50,001``).
    """
    token = found.group()
    out = _MEMO.get(token)
    if out is None:
        shape = _DIGIT_RUN.sub("0", token)
        out = _MEMO.get(shape)
        if out is None:
            out = _mask_token(token)
            if "," in token and ":" in token:
                return out
            _remember(shape, out)
        _remember(token, out)
    return out


def _remember(key: str, value: str) -> None:
    if len(_MEMO) >= _MEMO_SIZE:
        _MEMO.clear()  # bounded; each dict operation is atomic, so threads may share it
    _MEMO[key] = value


def mask(message: str) -> str:
    """``message`` with its variables replaced by ``<*>`` and whitespace normalised."""
    return " ".join(mask_tokens(message))
