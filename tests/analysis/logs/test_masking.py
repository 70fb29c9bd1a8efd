"""Masking: which parts of a message are values, and how much of a token a value takes."""

from __future__ import annotations

import pytest

from nightowl.analysis.logs.masking import mask


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        (
            "PacketResponder 1 for block blk_-6952295868487656571 terminating",
            "PacketResponder <*> for block <*> terminating",
        ),
        (
            "Receiving block blk_1 src: /10.251.202.181:47130 dest: /10.251.202.181:50010",
            "Receiving block <*> src: <*> dest: <*>",
        ),
        (
            "connection from 84.102.20.2 () at Sun Jul 24 02:38:22 2005",
            "connection from <*> () at <*>",
        ),
        (
            "Deleting block blk_1 file /mnt/hadoop/dfs/data/current/subdir54/blk_1",
            "Deleting block <*> file <*>",
        ),
        (
            "Input split: hdfs://10.10.34.11:9000/pjhe/logs/2kSOSP.log:65628+7292",
            "Input split: hdfs://<*>",
        ),
        ("session 3f2504e0-4f89-11d3-9a0c-0305e82c3301 expired", "session <*> expired"),
        ("mask=ffffffff flags=0x1f", "mask=ffffffff flags=<*>"),  # no digit: statistics decide
        (
            "Ido chip status changed: FF:F2:9F:16:EA:8D ip=10.0.0.1 v=13",
            "Ido chip status changed: <*> ip=<*> v=<*>",
        ),
        ("request took 35 ms, payload 9.2 KB", "request took <*>, payload <*>"),
        ("slept 30 seconds", "slept <*> seconds"),
        ("generating core.114", "generating core.<*>"),
        ("node node-12 is down", "node node-<*> is down"),
        ("Starting Socket Reader #1 for port 62270", "Starting Socket Reader #<*> for port <*>"),
        ("PSR0=00000000 PSR1=0x12", "PSR0=<*> PSR1=<*>"),
        ("offset -487.0 applied", "offset <*> applied"),
        (
            "csdnimg.cn:443 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
            "<*> open through proxy <*> HTTPS",
        ),
        ("visible is system.time.showampm", "visible is <*>"),
        ("rhost=zummit.com user=root", "rhost=zummit.com user=root"),  # words: statistics decide
        ("loaded org.apache.hadoop.Foo", "loaded <*>"),  # a qualified name (two dots or more)
        ("copy src/main/app.py to build/lib/app.py", "copy <*> to <*>"),
        ("flush2DB result success", "<*> result success"),  # a digit makes a value
        ("type=1,2,old=3", "type=<*>,<*>,old=<*>"),  # a list keeps its commas (Loghub-2.0)
        ("steps = 15##69##54", "steps = <*>##<*>##<*>"),
    ],
)
def test_values_are_masked(message: str, expected: str) -> None:
    assert mask(message) == expected


@pytest.mark.parametrize(
    "message",
    [
        "action:android.intent.action.SCREEN_ON",  # a Java constant, not a value
        "Transitioned from RUNNING to SUCCEEDED",
        "isOverlap:false shouldBlock:true",
        "Registered BlockManager",
        "tree/torus link training failed",
    ],
)
def test_constants_are_kept(message: str) -> None:
    assert mask(message) == message


def test_consecutive_values_collapse_into_one() -> None:
    assert mask("Fan speeds 3552 3534 3391") == "Fan speeds <*>"
    assert mask("at 2005-06-03 15:42:50,001 done") == "at <*> done"


def test_whitespace_is_normalised() -> None:
    assert mask("  shouldBlockLocation   ret:false ") == "shouldBlockLocation ret:false"


def test_empty_message() -> None:
    assert mask("") == ""
