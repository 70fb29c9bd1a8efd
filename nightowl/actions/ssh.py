"""``kind: ssh`` — run one of an allowlist of command templates on a service's host (asyncssh).

Only templates named in the driver's config can run: ``params.template`` picks one, and every
other parameter fills a ``{placeholder}`` only if it matches the template's pattern for it (by
default ``[A-Za-z0-9_.-]+``), after which it is shell-quoted. Anything else — an unknown template,
a missing or odd parameter — is refused before a connection is made, so a prompt-injected
``rm -rf /`` has nowhere to go. Host keys are checked against ``known_hosts``.

Idempotence: a ledger file of applied keys. Rollback runs the template's ``rollback`` command, if
it has one.
"""

from __future__ import annotations

import shlex
import string
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from nightowl.actions.config import options
from nightowl.actions.ledger import AppliedLog, Ledger
from nightowl.actions.results import dry_run_result, now, result, rolled_back
from nightowl.domain import ActionResult, ActionSpec, ActionStatus, BlastRadius, Scalar
from nightowl.domain.patterns import compile_pattern, full_match
from nightowl.errors import ActionError, ConfigError, InputError
from nightowl.settings import PluginConfig, Settings

DEFAULT_PATTERN = r"[A-Za-z0-9_.-]+"


class SshHost(BaseModel):
    """How to reach one service's host: address, port, user, private key, and the known_hosts
    file its host key is checked against.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    host: str
    port: int = 22
    user: str
    key_file: Path
    known_hosts: Path


class CommandTemplate(BaseModel):
    """One allowlisted command: its text with ``{placeholders}``, the pattern each placeholder's
    value must match (default ``[A-Za-z0-9_.-]+``), an optional rollback command and a timeout.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    command: str
    patterns: dict[str, str] = {}
    rollback: str | None = None
    timeout_seconds: float = 60.0

    @field_validator("command", "rollback")
    @classmethod
    def _placeholders(cls, text: str | None) -> str | None:
        if text is not None:
            placeholders(text)
        return text

    @model_validator(mode="after")
    def _patterns_name_placeholders(self) -> CommandTemplate:
        used = placeholders(self.command) | placeholders(self.rollback or "")
        if unknown := sorted(set(self.patterns) - used):
            raise ValueError(
                f"patterns for {', '.join(unknown)}, which neither command nor rollback uses"
            )
        return self

    @field_validator("patterns")
    @classmethod
    def _compile(cls, value: dict[str, str]) -> dict[str, str]:
        for field, pattern in value.items():
            try:
                compile_pattern(pattern)  # RE2: a parameter is matched in linear time
            except InputError as exc:
                raise ValueError(f"patterns.{field}: {exc}") from None
        return value


def placeholders(text: str) -> set[str]:
    """The ``{name}`` placeholders of a command template; ValueError for a malformed one (an
    unmatched brace, a positional ``{}``/``{0}``, attribute or index access, a conversion)."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise ValueError(
            f"template {text!r}: {exc} (write a literal brace as {{{{ or }}}})"
        ) from None
    names = set()
    for _, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            raise ValueError(
                f"template {text!r}: placeholder {{{field}}} must be a plain name, such as {{service}}"
            )
        names.add(field)
    return names


class SshConfig(BaseModel):
    """``kind: ssh``: the hosts by service, the allowlisted templates by name, and where the
    ledger is.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    hosts: dict[str, SshHost]
    templates: dict[str, CommandTemplate]
    state_dir: Path | None = None


class SshDriver:
    """Runs allowlisted commands. One connection per action; safe to call concurrently."""

    Config = SshConfig
    kinds = frozenset({"ssh"})

    def __init__(self, name: str, config: SshConfig, state_dir: Path) -> None:
        self.name = name
        self.config = config
        self.ledger: AppliedLog = Ledger(
            (config.state_dir or state_dir) / f"ssh-{name}-ledger.json"
        )

    def use_ledger(self, shared: Callable[[str, Ledger], AppliedLog]) -> None:
        """Keep applied results in the database (``LedgerAware``), the file still read."""
        if isinstance(self.ledger, Ledger):
            self.ledger = shared(self.ledger.path.stem, self.ledger)

    @classmethod
    def from_plugin(cls, plugin: PluginConfig, settings: Settings) -> SshDriver:
        """The driver of one ``actions.drivers`` entry (its options validated as SshConfig)."""
        try:
            import asyncssh  # noqa: F401
        except ImportError:
            raise ConfigError(
                "the ssh driver needs asyncssh: pip install 'nightowl[ssh]'",
                where="actions.drivers",
            ) from None
        return cls(plugin.name, options(plugin, SshConfig), settings.data_dir / "actions")

    def render(self, action: ActionSpec, which: str = "command") -> str:
        """The command line for ``action``, or ActionError if it is not allowlisted."""
        name = str(action.params.get("template") or "")
        template = self.config.templates.get(name)
        if template is None:
            allowed = ", ".join(sorted(self.config.templates)) or "none"
            raise ActionError(
                f"command template {name!r} is not in the allowlist ({allowed})", driver=self.name
            )
        text = template.command if which == "command" else (template.rollback or "")
        values = {}
        for _, field, _, _ in string.Formatter().parse(text):
            if field is None:
                continue
            value = action.params.get(field)
            pattern = template.patterns.get(field, DEFAULT_PATTERN)
            if value is None or not full_match(pattern, str(value)):
                raise ActionError(
                    f"parameter {field}={value!r} of template {name!r} does not match {pattern}",
                    driver=self.name,
                )
            values[field] = shlex.quote(str(value))
        return text.format(**values)

    def plan(self, action: ActionSpec) -> str:
        """The exact command and host; ActionError when the template or a parameter is refused."""
        return f"run `{self.render(action)}` on {self._host(action.service).host}"

    async def apply(self, action: ActionSpec, *, dry_run: bool) -> ActionResult:
        """Run the rendered command once per idempotency key (the ledger replays a repeat); a dry
        run renders and refuses exactly as a real run would, but connects to nothing.
        """
        started, command, host = now(), self.render(action), self._host(action.service)
        pre: dict[str, Scalar] = {"host": host.host, "command": command}
        pre.update({f"param.{k}": v for k, v in action.params.items()})
        radius = BlastRadius(pods_at_once=0, summary=f"one command on {host.host}")
        if dry_run:
            return dry_run_result(
                action, self.name, started, pre=pre, plan=self.plan(action), radius=radius
            )
        if (done := self.ledger.replay(action.idempotency_key)) is not None:
            return done
        timeout = self.config.templates[str(action.params["template"])].timeout_seconds
        status, output = await self._run(host, command, timeout)
        post: dict[str, Scalar] = {"exit_status": status, "output": output[-500:]}
        state = ActionStatus.SUCCEEDED if status == 0 else ActionStatus.FAILED
        done = result(
            action,
            self.name,
            state,
            started,
            pre=pre,
            post=post,
            message=f"`{command}` on {host.host} exited {status}",
            radius=radius,
        )
        self.ledger.put(done)
        return done

    async def rollback(self, done: ActionResult) -> ActionResult:
        """Run the template's rollback command with the same parameters; a template without one
        says there is nothing to undo.
        """
        started = now()
        spec = ActionSpec(
            kind="ssh",
            service=done.service,
            runbook="",
            risk="high",
            reason="",
            rollback="",
            idempotency_key=done.idempotency_key,
            params={**self._params_of(done)},
        )
        undo = self.render(spec, "rollback")
        if not undo:
            return rolled_back(
                done,
                self.name,
                started,
                done.post_state.flat(),
                "the template has no rollback command; nothing to undo",
            )
        host = self._host(done.service)
        status, output = await self._run(host, undo, 60.0)
        return rolled_back(
            done,
            self.name,
            started,
            {"exit_status": status, "output": output[-500:]},
            f"`{undo}` on {host.host} exited {status}",
        )

    def _params_of(self, done: ActionResult) -> dict[str, Scalar]:
        return {k[6:]: v for k, v in done.pre_state.facts.items() if k.startswith("param.")}

    def _host(self, service: str) -> SshHost:
        host = self.config.hosts.get(service) or self.config.hosts.get("*")
        if host is None:
            raise ActionError(
                f"no SSH host is configured for service {service!r}", driver=self.name
            )
        return host

    async def _run(self, host: SshHost, command: str, timeout: float) -> tuple[int, str]:
        import asyncssh

        try:
            async with asyncssh.connect(
                host.host,
                port=host.port,
                username=host.user,
                client_keys=[str(host.key_file)],
                known_hosts=str(host.known_hosts),
                connect_timeout=10,
            ) as conn:
                done = await conn.run(command, check=False, timeout=timeout)
        except (OSError, asyncssh.Error) as exc:
            raise ActionError(
                f"ssh to {host.host}:{host.port} failed: {exc}", driver=self.name, retryable=True
            ) from None
        output = str(done.stdout or "") + str(done.stderr or "")
        return int(done.exit_status if done.exit_status is not None else -1), output
