"""Who owns a service, as its Kubernetes objects say: owner and team annotations and labels.

A Service or Deployment names its owners in the annotations ``nightowl.dev/owner`` (people) and
``nightowl.dev/team`` (teams), comma-separated, or in the common labels ``owner`` and ``team``
(one name each: label values cannot hold a comma). A Service is the service of its name; a
Deployment the service of its service label, else its name. Pure functions over the API objects'
JSON.
"""

from __future__ import annotations

from nightowl.connectors.kubernetes.convert import Obj, service_of
from nightowl.connectors.protocols import Ownership

OWNER = "nightowl.dev/owner"
TEAM = "nightowl.dev/team"
KEYS: tuple[tuple[str, str, bool], ...] = (
    ("annotations", OWNER, False),
    ("annotations", TEAM, True),
    ("labels", "owner", False),
    ("labels", "team", True),
)


def owners(kind: str, objects: list[Obj], service_labels: tuple[str, ...]) -> list[Ownership]:
    """The owners each object of ``kind`` (``Service`` or ``Deployment``) names, with the object
    and the key as provenance."""
    out: list[Ownership] = []
    for obj in objects:
        meta = obj.get("metadata") or {}
        name = str(meta.get("name") or "")
        service = name if kind == "Service" else service_of(obj, service_labels) or name
        if not service:
            continue
        where = f"{kind} {meta.get('namespace') or 'default'}/{name}"
        for part, key, team in KEYS:
            value = str((meta.get(part) or {}).get(key) or "")
            out.extend(
                Ownership(
                    service=service,
                    owner=owner,
                    team=team,
                    provenance=f"{where} {part[:-1]} {key}",
                )
                for owner in dict.fromkeys(v.strip() for v in value.split(","))
                if owner
            )
    return out
