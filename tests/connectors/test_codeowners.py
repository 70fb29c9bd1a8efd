"""CODEOWNERS in GitHub's documented format: comments, gitignore patterns, the last matching rule
wins, a rule without owners unowns, a directory's owners are a top-level file's."""

from __future__ import annotations

from nightowl.connectors.codeowners import owners_of, parse

FILE = """\
# Lines starting with '#' are comments.
*       @acme/platform
*.js    @js-owner #This is an inline comment.
/services/payments/ @acme/pay ana@example.com
docs/   @doc-writer
/services/legacy/
apps/**/billing @acme/billing
"""


def owners(directory: str) -> tuple[int, tuple[str, ...]] | None:
    rule = owners_of(parse(FILE), directory)
    return None if rule is None else (rule.line, rule.owners)


def test_comments_are_skipped_and_owners_read() -> None:
    rules = parse(FILE)
    assert [r.line for r in rules] == [2, 3, 4, 5, 6, 7]
    assert rules[1].owners == ("@js-owner",)  # the inline comment is not an owner


def test_the_last_matching_rule_decides_a_directory() -> None:
    assert owners("") == (2, ("@acme/platform",))
    assert owners("services/payments") == (4, ("@acme/pay", "ana@example.com"))
    assert owners("/services/payments/") == (4, ("@acme/pay", "ana@example.com"))
    assert owners("services/checkout") == (2, ("@acme/platform",))
    assert owners("docs") == (5, ("@doc-writer",))
    assert owners("apps/shop/billing") == (7, ("@acme/billing",))


def test_a_rule_without_owners_leaves_its_paths_unowned() -> None:
    assert owners("services/legacy") == (6, ())


def test_no_rule_no_owner() -> None:
    assert owners_of(parse("docs/ @doc\n"), "services/x") is None
    assert parse("") == []
