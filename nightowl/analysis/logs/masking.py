"""Variable masking: turn a raw log message into a template string with ``<*>`` for variables.

The rules are general (no per-system regexes): anything that contains a digit is a value, and so
are URLs, paths, dates, MAC addresses, long hex strings, dotted identifiers (hosts, Java classes,
package names) and host names before a port. A few structural habits decide how much of a token
is the value:

* ``key=value``: the key is kept, the value is judged on its own (``uid=<*>``);
* an alphabetic prefix joined by ``.``, ``-`` or ``#`` is kept (``core.<*>``, ``node-<*>``);
* a unit right after a number belongs to the value (``9.2 KB`` is one ``<*>``);
* consecutive variables collapse into one (``<*>:<*>`` and ``<*> <*>`` become ``<*>``), which is
  the Loghub-2.0 convention and makes a variable-length list one variable.

ALL-CAPS words, booleans and ``null`` are kept: they are enumerations that tell events apart.

Masking is pure and thread-safe; the compiled patterns are module constants.
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
# tokens are words (or words with punctuation) and stay as they are. Eight hex digits in a
# row may be a hex value without a digit (ffffffff).
_NEEDS_WORK = re.compile(r"[\d\x00./]|[0-9a-fA-F]{8}").search
_SPLIT = re.compile(r"([=,:;()\[\]{}\"'|/]|#{2,}|\.{2,}|\.$)")
_HAS_VALUE = re.compile(r"[\d\x00]").search
_PREFIX = re.compile(r"^(?:[A-Za-z]+[.#-]|#)")
_NESTED = re.compile(r"[^.#-]*[.#-]").match
_HEX = re.compile(r"[0-9a-fA-F]{8,}").fullmatch
_DOTTED = re.compile(r"\.?(?:[\w-]+\.){2,}[\w-]*[a-z0-9][\w-]*").fullmatch
_UNIT = re.compile(r"(?:[KMGTP]i?B|B|[mun]?s|sec|secs|mins?)([,;)\]}]*)").fullmatch


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
    out: list[str] = []
    append = out.append
    needs_work = _NEEDS_WORK
    ends_with_var = False  # does out[-1] end with a variable?
    for tok in _mark_spans(message).split():
        if ends_with_var:
            unit = _UNIT(tok)
            if unit:  # "9.2 KB" is one value; keep closing punctuation
                out[-1] += unit.group(1)
                ends_with_var = not unit.group(1)
                continue
        if needs_work(tok):
            tok = _mask_token(tok)
            if VAR in tok:
                if ends_with_var and tok.startswith(VAR):
                    out[-1] += tok[3:]  # consecutive variables are one variable
                else:
                    append(tok)
                ends_with_var = tok.endswith(VAR)
                continue
        append(tok)
        ends_with_var = False
    return out


def mask(message: str) -> str:
    """``message`` with its variables replaced by ``<*>`` and whitespace normalised."""
    return " ".join(mask_tokens(message))
