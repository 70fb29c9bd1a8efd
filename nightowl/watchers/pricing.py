"""Pricing changes from the ``cost:`` price table: a plan's resources, and capacity changes.

A resource is priced by what it is, read from its plan attributes (Terraform's AWS, Google and
Azure resource schemas): instances and VMs by ``instance_type`` / ``machine_type`` / ``size``;
node pools by their machine type times their node count (``aws_eks_node_group``'s
``instance_types`` and ``scaling_config.desired_size``, ``google_container_node_pool``'s
``node_config.machine_type`` and ``node_count``, ``azurerm_kubernetes_cluster_node_pool``'s
``vm_size`` and ``node_count``); volumes by ``type`` times ``size`` GB; load balancers by
``load_balancer_type``. A type with no price is reported unpriced, never guessed. A capacity
change (``scale``/``scale_out``, read from its dry run's replicas before and after) costs the
replica difference times the service's replica price — the ``Pricing`` port the approvals use.
Where OpenCost is configured (``cost.runtime``, ``runtime_prices.py``), a running workload's
replica price is what it costs now: its allocation per month ÷ the replicas its dry run read.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from nightowl.domain import ActionResult, ActionSpec
from nightowl.domain.cost import Allocation, CostDiff, ResourceCost
from nightowl.settings.cost import CostSettings
from nightowl.watchers.terraform import Plan

INSTANCES = {"aws_instance": "instance_type", "google_compute_instance": "machine_type",
             "azurerm_linux_virtual_machine": "size", "azurerm_windows_virtual_machine": "size"}  # fmt: skip
VOLUMES = {"aws_ebs_volume": ("type", "size"), "google_compute_disk": ("type", "size"),
           "azurerm_managed_disk": ("storage_account_type", "disk_size_gb")}  # fmt: skip
BALANCERS = {"aws_lb": "load_balancer_type", "aws_alb": "load_balancer_type"}


class PriceTable:
    """The price table of the settings. Pure and thread-safe."""

    def __init__(self, settings: CostSettings) -> None:
        self.settings = settings
        self.currency = settings.currency
        self.runtime: dict[str, float] = {}
        """Workload → its runtime cost per month (OpenCost), replaced whole by ``observe``."""

    def observe(self, allocations: Iterable[Allocation]) -> None:
        """Take the workloads' runtime costs (OpenCost's idle and unallocated rows are not
        workloads); from now on they price those workloads' replicas."""
        self.runtime = {a.name: a.monthly for a in allocations if not a.name.startswith("__")}

    def monthly(self, type_: str, values: Any) -> tuple[float, str] | None:
        """The monthly cost of one resource and what priced it; None when not priced."""
        if not isinstance(values, dict):
            return None
        hours, s = self.settings.hours_per_month, self.settings
        if type_ in INSTANCES:
            price = s.instance_types.get(str(values.get(INSTANCES[type_])))
            return (price * hours, "instance_types") if price is not None else None
        if type_ in VOLUMES:
            kind, size = VOLUMES[type_]
            price = s.volumes.get(str(values.get(kind)))
            gigabytes = float(values.get(size) or 0)
            return (price * gigabytes, "volumes") if price is not None else None
        if type_ in BALANCERS:
            price = s.load_balancers.get(str(values.get(BALANCERS[type_]) or "application"))
            return (price * hours, "load_balancers") if price is not None else None
        pool = _node_pool(type_, values)
        if pool is not None:
            machine, nodes = pool
            price = s.instance_types.get(machine)
            return (price * hours * nodes, "node_pools") if price is not None else None
        return None

    def plan(self, plan: Plan) -> CostDiff:
        """The monthly delta of every create, update and delete of ``plan``."""
        priced, unpriced = [], []
        for change in plan.resource_changes:
            if change.mode != "managed" or change.change.actions in (["no-op"], ["read"]):
                continue
            before = self.monthly(change.type, change.change.before)
            after = self.monthly(change.type, change.change.after)
            if before is None and after is None:
                unpriced.append(change.address)
                continue
            old, new = (before or (0.0, ""))[0], (after or (0.0, ""))[0]
            if old == new:
                continue
            priced.append(
                ResourceCost(
                    address=change.address,
                    before=round(old, 2) if before else None,
                    after=round(new, 2) if after else None,
                    delta=round(new - old, 2),
                    priced_by=(after or before or (0.0, ""))[1],
                )
            )
        return CostDiff(
            currency=self.currency,
            source="price table",
            resources=tuple(priced),
            unpriced=tuple(unpriced),
        )

    def replica(self, service: str) -> float | None:
        """The monthly cost of one replica of ``service`` (the ``*`` price otherwise)."""
        return self.settings.replicas.get(service, self.settings.replicas.get("*"))

    def replica_price(self, service: str, replicas: int | None) -> tuple[float, str] | None:
        """The monthly price of one replica of ``service`` running ``replicas`` now, and what
        priced it: its runtime cost ÷ ``replicas`` when OpenCost priced it (``opencost``), else
        the table's (``cost.replicas``); None when neither does."""
        running = self.runtime.get(service)
        if running is not None and replicas:
            return running / replicas, "opencost"
        price = self.replica(service)
        return (price, "cost.replicas") if price is not None else None

    def monthly_delta(self, action: ActionSpec, preview: ActionResult | None) -> float | None:
        """A scale's cost: (replicas after − before) × the replica price: the workload's runtime
        cost ÷ its replicas when OpenCost priced it, else the service's price in the table."""
        if preview is None or action.kind not in ("scale", "scale_out"):
            return None
        before, after = _replicas(action, preview)
        price = self.replica_price(action.service, before)
        if price is None or before is None or after is None:
            return None
        return round((after - before) * price[0], 2)


def _replicas(action: ActionSpec, preview: ActionResult) -> tuple[int | None, int | None]:
    """Replicas before and after: the dry run's blast radius, else its states, else the
    action's own ``replicas`` or ``factor`` (×2 by default) applied to the count read before
    (a dry run changes nothing, so its post-state may be its pre-state)."""
    radius = preview.blast_radius
    if radius and radius.replicas_before is not None and radius.replicas_after is not None:
        return radius.replicas_before, radius.replicas_after
    before, after = preview.pre_state.replicas, preview.post_state.replicas
    if before is None or (after is not None and after != before):
        return before, after
    if action.params.get("replicas") is not None:
        return before, int(action.params["replicas"] or 0)
    factor = action.params.get("factor")
    return before, max(1, round(before * float(factor if isinstance(factor, int | float) else 2)))


def _node_pool(type_: str, values: dict[str, Any]) -> tuple[str, float] | None:
    if type_ == "aws_eks_node_group":
        types = values.get("instance_types") or []
        scaling = (values.get("scaling_config") or [{}])[0]
        if types:
            return str(types[0]), float(scaling.get("desired_size") or 0)
    if type_ == "google_container_node_pool":
        config = (values.get("node_config") or [{}])[0]
        return str(config.get("machine_type")), float(values.get("node_count") or 0)
    if type_ == "azurerm_kubernetes_cluster_node_pool":
        return str(values.get("vm_size")), float(values.get("node_count") or 0)
    return None
