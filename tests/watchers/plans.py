"""Plan JSON and HCL written to Terraform's documented formats
(https://developer.hashicorp.com/terraform/internals/json-format): a load-balancer listener rule
changed by hand (priority and path patterns) and a security group opened by hand."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

LB_TF = """\
# the public listener's API rule
resource "aws_lb_listener_rule" "web" {
  listener_arn = aws_lb_listener.front.arn
  priority     = 100 # below the catch-all

  action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }

  condition {
    path_pattern {
      values = ["/api/*"]
    }
  }
}
"""
SG_TF = """\
resource "aws_security_group" "db" {
  name   = "db"
  vpc_id = var.vpc_id
}
"""
LB_ARN = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener-rule/app/front/1/2/3"
LB_CODE = {
    "arn": LB_ARN,
    "id": LB_ARN,
    "listener_arn": "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/front/1/2",
    "priority": 100,
    "action": [{"type": "forward", "target_group_arn": "arn:tg/web", "order": 1}],
    "condition": [{"path_pattern": [{"values": ["/api/*"]}], "host_header": []}],
    "tags": {},
}
LB_REAL = LB_CODE | {
    "priority": 90,
    "condition": [{"path_pattern": [{"values": ["/api/*", "/v2/*"]}], "host_header": []}],
}
SG_CODE = {"id": "sg-0abc", "name": "db", "ingress": []}
SG_REAL = SG_CODE | {
    "ingress": [{"cidr_blocks": ["0.0.0.0/0"], "from_port": 5432, "to_port": 5432}]
}


def entry(address: str, type_: str, name: str, before: Any, after: Any) -> dict[str, Any]:
    return {
        "address": address,
        "mode": "managed",
        "type": type_,
        "name": name,
        "provider_name": "registry.terraform.io/hashicorp/aws",
        "change": {"actions": ["update"], "before": before, "after": after, "after_unknown": {}},
    }


def refresh_only_plan(*drift: dict[str, Any]) -> dict[str, Any]:
    """``terraform show -json`` of a ``plan -refresh-only``: the drift, no resource changes."""
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "resource_drift": list(drift),
        "resource_changes": [],
        "planned_values": {"root_module": {}},
    }


def lb_drift() -> dict[str, Any]:
    return entry("aws_lb_listener_rule.web", "aws_lb_listener_rule", "web", LB_CODE, LB_REAL)


def sg_drift() -> dict[str, Any]:
    return entry("aws_security_group.db", "aws_security_group", "db", SG_CODE, SG_REAL)


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    )
    return done.stdout.strip()


def infra_repo(tmp_path: Path) -> Path:
    """A real git repository with the two resources' HCL, committed."""
    repo = tmp_path / "infra"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "lb.tf").write_text(LB_TF)
    (repo / "sg.tf").write_text(SG_TF)
    git(repo, "add", ".")
    git(repo, "-c", "user.name=ana", "-c", "user.email=ana@example.com", "commit", "-qm", "infra")
    return repo


def write_plan(tmp_path: Path, plan: dict[str, Any]) -> Path:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    return path
