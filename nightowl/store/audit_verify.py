"""Verifying the audit trail: the HMAC chain inside the database, against the anchors outside it.

Four kinds of tampering are told apart and named: a record altered (its HMAC or its columns do not
match — even with the chain recomputed, since that needs the key), a record missing from the
middle, the newest records deleted (the chain ends before the newest anchor, or the head in the
database says more), and the whole table wiped (no record, but anchors). Someone holding the key
can rewrite records the anchors do not cover yet; an anchored record that differs from its anchor
is named as a rewrite after anchoring.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select

from nightowl.store import control
from nightowl.store.audit_anchor import Anchor, AnchorFile, AnchorRead
from nightowl.store.audit_chain import GENESIS, HEAD, AuditRow, ChainCheck, problem
from nightowl.store.audit_key import AuditKey
from nightowl.store.sessions import Sessions


def verify_trail(
    sessions: Sessions,
    key: AuditKey,
    anchor_file: AnchorFile,
    batch: int = 500,
    given: Sequence[tuple[int, str]] = (),
) -> ChainCheck:
    """Walk the whole chain, then hold it against ``given`` anchors (from a shipped log line),
    the database head and the anchor file."""
    read = anchor_file.read()
    wanted = {seq for seq, _ in given}
    seen: dict[int, str] = {}
    by_seq: dict[int, list[Anchor]] = defaultdict(list)
    for anchor in read.anchors:
        by_seq[anchor.seq].append(anchor)
    expected, prev, checked, matched, after = 1, GENESIS, 0, 0, 0
    while True:
        query = select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(batch)
        with sessions.read() as session:
            rows = list(session.scalars(query))
            head = control.get(session, HEAD) if not rows else None
        if not rows:
            break
        for row in rows:
            found = problem(row, expected, prev, key) or _against_anchors(row, by_seq)
            if found:
                return ChainCheck(ok=False, checked=checked, bad_seq=expected, reason=found)
            matched += len(by_seq.get(row.seq, ()))
            if row.seq in wanted:
                seen[row.seq] = row.hash
            expected, prev, checked = expected + 1, row.hash, checked + 1
        after = rows[-1].seq
    last = expected - 1
    result = (
        _check_given(given, seen, last)
        or _check_head(head, last, prev, checked)
        or _check_anchors(read, anchor_file, last)
    )
    if result is not None:
        return result
    matched += len(given)
    notes = (f"{read.torn} torn line(s) in {anchor_file.path} were skipped",) if read.torn else ()
    return ChainCheck(
        ok=True,
        checked=checked,
        anchors=matched + _genesis(read),
        notes=notes,
        key_id=key.key_id,
        anchor_file=str(anchor_file.path),
    )


def _against_anchors(row: AuditRow, by_seq: dict[int, list[Anchor]]) -> str | None:
    for anchor in by_seq.get(row.seq, ()):
        if anchor.mac != row.hash:
            return (
                f"record {row.seq} differs from the anchor written at {anchor.at.isoformat()}: "
                "the trail was rewritten after it was anchored"
            )
    return None


def _check_given(
    given: Sequence[tuple[int, str]], seen: dict[int, str], last: int
) -> ChainCheck | None:
    for seq, mac in sorted(given):
        if seq == 0:
            continue
        if seq > last:
            what = "wiped: the audit table is empty" if last == 0 else f"truncated at record {last}"
            reason = f"the trail was {what}, but the given anchor names record {seq}"
            return ChainCheck(ok=False, checked=last, bad_seq=last + 1, reason=reason)
        if seen.get(seq) != mac:
            reason = (
                f"record {seq} differs from the given anchor: the trail was rewritten after "
                "it was anchored"
            )
            return ChainCheck(ok=False, checked=last, bad_seq=seq, reason=reason)
    return None


def _genesis(read: AnchorRead) -> int:
    return sum(1 for a in read.anchors if a.seq == 0)


def _check_head(
    head: dict[str, Any] | None, last: int, prev: str, checked: int
) -> ChainCheck | None:
    head = head or {"seq": 0, "hash": GENESIS}
    if int(head["seq"]) > last:
        return ChainCheck(
            ok=False,
            checked=checked,
            bad_seq=last + 1,
            reason=f"record {last + 1} is missing: the chain head says {head['seq']} records",
        )
    if int(head["seq"]) != last or head["hash"] != prev:
        return ChainCheck(
            ok=False,
            checked=checked,
            bad_seq=last,
            reason=f"record {last} does not match the chain head",
        )
    return None


def _check_anchors(read: AnchorRead, anchor_file: AnchorFile, last: int) -> ChainCheck | None:
    if not read.exists:
        return ChainCheck(
            ok=False,
            checked=last,
            reason=(
                f"the anchor file {anchor_file.path} is missing; it is written when the trail "
                "starts, so it was deleted or audit.anchor_file changed: neither deleted records "
                "nor a wiped trail can be ruled out. Restore it from backup or the "
                "'audit anchor' log lines"
            ),
        )
    newest = read.newest
    if newest is None or newest.seq <= last:
        return None
    when = newest.at.isoformat()
    if last == 0:
        reason = (
            f"the trail was wiped: the audit table is empty but {anchor_file.path} recorded "
            f"{newest.seq} records at {when}"
        )
    else:
        lost = (
            f"record {newest.seq} was"
            if newest.seq == last + 1
            else f"records {last + 1}–{newest.seq} were"
        )
        reason = (
            f"the trail was truncated: it ends at record {last} but {anchor_file.path} recorded "
            f"record {newest.seq} at {when}, so {lost} deleted"
        )
    return ChainCheck(ok=False, checked=last, bad_seq=last + 1, reason=reason)
