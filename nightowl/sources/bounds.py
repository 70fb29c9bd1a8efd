"""Per-field bounds and normalisation of what a source parsed, before anything is stored.

Every alert leaves here with:

- no NUL (PostgreSQL refuses it in text; it would fail the whole group commit) and no lone
  surrogate (nothing can encode it);
- every field cut to ``webhooks.limits`` (the store's column widths at most), with "…" marking
  the cut; a fingerprint too long is replaced by its hash, so two long ones stay apart;
- label names, and the values of the labels that name a service, NFKC-normalised (a full-width
  ``ｃｈｅｃｋｏｕｔ`` is ``checkout``) and read through Unicode's confusables table (UTS #39, via the
  ``confusable-homoglyphs`` package): a name whose every non-ASCII letter has an ASCII
  look-alike, like ``сheckout`` with a Cyrillic ``с``, is read as the ASCII name it imitates, and
  the alert is flagged with a ``nightowl_confusable`` annotation naming the original. So a homoglyph service name joins the
  incident of the name it imitates instead of opening a separate, identical-looking one.

Pure functions; safe from any thread.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Mapping

from confusable_homoglyphs import confusables

from nightowl.domain import Alert, AlertGroup
from nightowl.domain.vocabulary import SERVICE_LABELS
from nightowl.errors import PayloadError
from nightowl.settings import FieldLimits
from nightowl.sources.base import AlertSource, content_hash, label_fingerprint

CUT = "…"
FLAG = "nightowl_confusable"
"""The annotation that names a label read through the confusables table, and what it was."""


def parse_bounded(
    parser: AlertSource, body: bytes, headers: Mapping[str, str], limits: FieldLimits
) -> AlertGroup:
    """Parse ``body`` with ``parser`` and bound what it read: the one way a body becomes alerts.

    Every failure is a PayloadError (a 4xx): the parsers raise it themselves; a value that still
    breaks the standard library on its way (a recursion, a time or number out of range) is caught
    here so that a sender is never answered 500 for its own bad input.
    """
    try:
        group = parser.parse(body, headers)
    except (RecursionError, OverflowError, OSError, ValueError) as exc:
        if isinstance(exc, PayloadError):
            raise
        raise PayloadError(
            f"the payload could not be read ({type(exc).__name__}); send the documented schema",
            source=parser.name,
        ) from None
    return bound_group(group, limits)


def bound_group(group: AlertGroup, limits: FieldLimits) -> AlertGroup:
    """``group`` with every alert and group field bounded and normalised (module docstring).

    Raises PayloadError when an alert has more labels or annotations than the limits allow
    (cutting those would change what the alert is).
    """
    text = limits.label_value_chars
    alerts = tuple(bound_alert(a, limits, f"alerts.{n}") for n, a in enumerate(group.alerts))
    if all(a is b for a, b in zip(alerts, group.alerts, strict=True)) and _plain_group(
        group, limits
    ):
        return group
    return group.model_copy(
        update={
            "group_key": clean(group.group_key, limits.alert_name_chars),
            "receiver": clean(group.receiver, text) if group.receiver else group.receiver,
            "external_url": clean(group.external_url, limits.url_chars)
            if group.external_url
            else None,
            "alerts": alerts,
            "group_labels": _labels(group.group_labels, limits, {}),
            "common_labels": _labels(group.common_labels, limits, {}),
            "common_annotations": _annotations(group.common_annotations, limits),
        }
    )


def bound_alert(alert: Alert, limits: FieldLimits, where: str = "alert") -> Alert:
    """One alert bounded and normalised; PayloadError if it has too many labels or annotations."""
    for field, given, most in (
        ("labels", alert.labels, limits.labels_per_alert),
        ("annotations", alert.annotations, limits.annotations_per_alert),
    ):
        if len(given) > most:
            raise PayloadError(
                f"{len(given)} {field}; at most {most} are read (webhooks.limits)",
                source=alert.source,
                field=f"{where}.{field}",
            )
    if _plain(alert, limits):
        return alert  # the common case, checked at C speed: nothing to change
    flags: dict[str, str] = {}
    labels = _labels(alert.labels, limits, flags)
    annotations = _annotations(alert.annotations, limits)
    if flags:
        annotations[FLAG] = clean("; ".join(flags.values()), limits.annotation_chars)
    fingerprint = _fingerprint(alert, labels, limits.fingerprint_chars)
    bounded = {
        "fingerprint": fingerprint,
        "name": clean(alert.name, limits.alert_name_chars),
        "labels": labels,
        "annotations": annotations,
        "generator_url": clean(alert.generator_url, limits.url_chars)
        if alert.generator_url
        else None,
    }
    if all(bounded[k] == getattr(alert, k) for k in bounded):
        return alert  # the common case: nothing to change, the source's hash stands
    times = (alert.starts_at, alert.ends_at)
    hashed = content_hash(fingerprint, alert.status, *times, labels, annotations)
    return alert.model_copy(update={**bounded, "content_hash": hashed})


def _plain_group(group: AlertGroup, limits: FieldLimits) -> bool:
    labels = {**group.group_labels, **group.common_labels}
    fields = [group.group_key, group.receiver or "", group.external_url or ""]
    text = "\x01".join([*fields, *labels, *labels.values(), *group.common_annotations.values()])
    return (
        text.isascii()
        and "\x00" not in text
        and len(group.group_key) <= limits.alert_name_chars
        and len(group.receiver or "") <= limits.label_value_chars
        and len(group.external_url or "") <= limits.url_chars
        and max(map(len, labels), default=0) <= limits.label_key_chars
        and max(map(len, labels.values()), default=0) <= limits.label_value_chars
        and max(map(len, group.common_annotations), default=0) <= limits.label_key_chars
        and max(map(len, group.common_annotations.values()), default=0) <= limits.annotation_chars
    )


def _plain(alert: Alert, limits: FieldLimits) -> bool:
    """Whether every field is already ASCII, NUL-free and within its limit.

    One string holds every field, so each test runs once, in C; a group of fields whose joined
    length is within its limit has each field within it, so the per-field lengths are only
    measured for the rare alert whose fields are long together (4× faster, docs/benchmarks.md).
    """
    labels, annotations = alert.labels, alert.annotations
    url = alert.generator_url or ""
    keys = "\x01".join([*labels, *annotations])
    values = "\x01".join(labels.values())
    notes = "\x01".join(annotations.values())
    text = "\x01".join((alert.name, alert.fingerprint, url, keys, values, notes))
    if not text.isascii() or "\x00" in text:
        return False
    return (
        len(alert.name) <= limits.alert_name_chars
        and len(alert.fingerprint) <= limits.fingerprint_chars
        and len(url) <= limits.url_chars
        and (
            len(keys) <= limits.label_key_chars
            or _within([*labels, *annotations], limits.label_key_chars)
        )
        and (
            len(values) <= limits.label_value_chars
            or _within(labels.values(), limits.label_value_chars)
        )
        and (
            len(notes) <= limits.annotation_chars
            or _within(annotations.values(), limits.annotation_chars)
        )
    )


def _within(texts: Iterable[str], most: int) -> bool:
    return max(map(len, texts), default=0) <= most


def clean(text: str, most: int) -> str:
    """``text`` without NUL or lone surrogates, at most ``most`` characters (cut with "…")."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():
        text = text.encode("utf-8", "replace").decode("utf-8")  # a lone surrogate becomes "?"
    return text if len(text) <= most else text[: most - 1] + CUT


def normalised_name(text: str) -> tuple[str, str | None]:
    """``text`` NFKC-normalised and read through the confusables table: (name, why it changed).

    A name whose every non-ASCII character has an ASCII look-alike is read as that ASCII name (it
    imitates one); a name in another script (``платежи``) keeps its own letters. ASCII names,
    nearly all of them, are returned at once.
    """
    if text.isascii():
        return text, None
    name = unicodedata.normalize("NFKC", text)
    if not name.isascii():
        imitated = name
        for hit in confusables.is_confusable(name, greedy=True, preferred_aliases=["latin"]) or []:
            latin = next((h["c"] for h in hit["homoglyphs"] if h["c"].isascii()), None)
            if latin is not None:
                imitated = imitated.replace(hit["character"], latin)
        name = imitated if imitated.isascii() else name
    if name == text:
        return name, None
    codes = ", ".join(f"U+{ord(c):04X}" for c in dict.fromkeys(text) if not c.isascii())
    return name, f"{text!r} ({codes}) was read as {name!r}"


def _labels(
    labels: Mapping[str, str], limits: FieldLimits, flags: dict[str, str]
) -> dict[str, str]:
    out: dict[str, str] = {}
    for key, value in labels.items():
        name, why = _name(key, limits.label_key_chars)
        if why:
            flags[f"key:{name}"] = f"label name {why}"
        if name in SERVICE_LABELS:
            text, why = _name(value, limits.label_value_chars)
            if why:
                flags[name] = f"{name} {why}"
        else:
            text = clean(value, limits.label_value_chars)
        out.setdefault(name, text)
    return out


def _name(text: str, most: int) -> tuple[str, str | None]:
    """A name cleaned, normalised, then cut (normalising may lengthen it: "…" is three dots)."""
    name, why = normalised_name(clean(text, 4 * most))
    return clean(name, most), why


def _annotations(annotations: Mapping[str, str], limits: FieldLimits) -> dict[str, str]:
    return {
        clean(k, limits.label_key_chars): clean(v, limits.annotation_chars)
        for k, v in annotations.items()
    }


def _fingerprint(alert: Alert, labels: dict[str, str], most: int) -> str:
    """The source's fingerprint, bounded; recomputed when it was only a hash of the labels."""
    if labels != alert.labels and alert.fingerprint == label_fingerprint(alert.labels):
        return label_fingerprint(labels)  # normalised labels: the same alert as the clean one
    fingerprint = clean(alert.fingerprint, len(alert.fingerprint) + 1)
    if len(fingerprint) > most:
        return "sha256:" + hashlib.sha256(fingerprint.encode()).hexdigest()
    return fingerprint
