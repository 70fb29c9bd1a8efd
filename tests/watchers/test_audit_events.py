"""Who changed a resource when, from CloudTrail's documented record format (a trail file's
``Records`` and ``lookup-events``' ``Events``); reads are not changes."""

from __future__ import annotations

import json

from nightowl.watchers.audit_events import AuditEvents
from tests.watchers.plans import LB_ARN

MODIFY = {
    "eventVersion": "1.08",
    "eventTime": "2026-12-02T22:14:05Z",
    "eventSource": "elasticloadbalancing.amazonaws.com",
    "eventName": "ModifyRule",
    "userIdentity": {
        "type": "IAMUser",
        "arn": "arn:aws:iam::123456789012:user/ana",
        "userName": "ana",
    },
    "requestParameters": {"ruleArn": LB_ARN, "conditions": [{"field": "path-pattern"}]},
    "readOnly": False,
}
DESCRIBE = MODIFY | {
    "eventName": "DescribeRules",
    "eventTime": "2026-12-03T01:00:00Z",
    "readOnly": True,
}
OLDER = MODIFY | {"eventTime": "2026-11-01T00:00:00Z", "userIdentity": {"type": "Root"}}


def test_the_newest_change_naming_the_resource_says_who_and_when() -> None:
    events = AuditEvents.parse({"Records": [OLDER, DESCRIBE, MODIFY]})
    assert events.who({"arn": LB_ARN, "id": LB_ARN}) == {
        "changed_by": "arn:aws:iam::123456789012:user/ana",
        "changed_at": "2026-12-02T22:14:05Z",
        "changed_with": "ModifyRule",
    }
    assert events.who({"id": "sg-0abc"}) == {}


def test_lookup_events_carry_the_record_as_a_json_string() -> None:
    looked_up = {
        "Events": [
            {"EventId": "1", "EventName": "ModifyRule", "CloudTrailEvent": json.dumps(MODIFY)}
        ]
    }
    assert AuditEvents.parse(looked_up).who({"arn": LB_ARN})["changed_with"] == "ModifyRule"
