"""Every audit action the code can record has a German description and a category in the audit log.

The actions are read from the source: every ``record_event(…, action=…)`` in ``lms/`` (and any direct
``AuditEvent(action=…)``), following an ``action`` variable to its assignments and, when it is a parameter, to the
callers of its function (``audit_change``, the ``_record`` helpers). An f-string action must be listed in
``EXPANSIONS`` with the values its placeholder takes, so a new one cannot slip past.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from lms.audit.describe import _DESCRIPTIONS, CATEGORIES, category_of
from lms.auth.models import InvitationPurpose
from lms.orgs.role_changes import CHANGEABLE

ROOT = Path(__file__).resolve().parents[2] / "lms"

#: f-string actions (as written in the source) and the values their placeholders take.
EXPANSIONS: dict[str, list[str]] = {
    "f'role.{role.value}_grant'": [f"role.{role.value}_grant" for role in CHANGEABLE],
    "f'role.{role.value}_revoke'": [f"role.{role.value}_revoke" for role in CHANGEABLE],
    "f'{purpose.value}.create'": [f"{purpose.value}.create" for purpose in InvitationPurpose],
    "f'{invitation.purpose}.accept'": [f"{purpose.value}.accept" for purpose in InvitationPurpose],
}


@dataclass
class _Function:
    path: Path
    node: ast.FunctionDef


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}


class _Source:
    def __init__(self) -> None:
        self.trees = {
            path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(ROOT.rglob("*.py"))
        }
        self.parents = {path: _parents(tree) for path, tree in self.trees.items()}
        self.functions: dict[str, list[_Function]] = {}
        for path, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.FunctionDef):
                    self.functions.setdefault(node.name, []).append(_Function(path, node))
        self.problems: list[str] = []

    def enclosing(self, path: Path, node: ast.AST) -> ast.FunctionDef | None:
        parents = self.parents[path]
        while node in parents:
            node = parents[node]
            if isinstance(node, ast.FunctionDef):
                return node
        return None

    def calls_to(self, name: str) -> list[tuple[Path, ast.Call]]:
        found = []
        for path, tree in self.trees.items():
            for node in ast.walk(tree):
                if isinstance(node, ast.Call):
                    callee = (
                        node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
                    )
                    if callee == name:
                        found.append((path, node))
        return found

    def resolve(self, path: Path, expr: ast.expr, depth: int = 0) -> set[str]:
        where = f"{path.relative_to(ROOT.parent)}:{expr.lineno}"
        if depth > 6:
            self.problems.append(f"{where}: action followed too far")
            return set()
        if isinstance(expr, ast.Constant) and isinstance(expr.value, str):
            return {expr.value}
        if isinstance(expr, ast.IfExp):
            return self.resolve(path, expr.body, depth + 1) | self.resolve(path, expr.orelse, depth + 1)
        if isinstance(expr, ast.JoinedStr):
            written = ast.unparse(expr)
            if written not in EXPANSIONS:
                self.problems.append(f"{where}: f-string action {written} is not listed in EXPANSIONS")
                return set()
            return set(EXPANSIONS[written])
        if isinstance(expr, ast.Call) and isinstance(expr.func, ast.Name) and expr.func.id in self.functions:
            values: set[str] = set()
            for function in self.functions[expr.func.id]:
                for node in ast.walk(function.node):
                    if isinstance(node, ast.Return) and node.value is not None:
                        values |= self.resolve(function.path, node.value, depth + 1)
            return values
        if isinstance(expr, ast.Name):
            return self._resolve_name(path, expr, depth)
        self.problems.append(f"{where}: cannot tell which action {ast.unparse(expr)} records")
        return set()

    def _resolve_name(self, path: Path, name: ast.Name, depth: int) -> set[str]:
        function = self.enclosing(path, name)
        where = f"{path.relative_to(ROOT.parent)}:{name.lineno}"
        if function is None:
            self.problems.append(f"{where}: {name.id} is not inside a function")
            return set()
        values: set[str] = set()
        assigned = False
        for node in ast.walk(function):
            if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name.id for t in node.targets
            ):
                assigned = True
                values |= self.resolve(path, node.value, depth + 1)
            elif (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and node.target.id == name.id
            ):
                assigned = True
                if node.value is not None:
                    values |= self.resolve(path, node.value, depth + 1)
        parameters = [a.arg for a in (*function.args.posonlyargs, *function.args.args)]
        keyword_only = [a.arg for a in function.args.kwonlyargs]
        if name.id not in parameters and name.id not in keyword_only:
            if not assigned:
                self.problems.append(f"{where}: cannot tell where {name.id} comes from")
            return values
        position = parameters.index(name.id) if name.id in parameters else None
        callers = self.calls_to(function.name)
        if function.name.startswith("_"):  # a module's private helper is called from its own module
            callers = [(caller_path, call) for caller_path, call in callers if caller_path == path]
        if not callers:
            self.problems.append(f"{where}: {function.name} is never called")
        for caller_path, call in callers:
            argument: ast.expr | None = next((k.value for k in call.keywords if k.arg == name.id), None)
            if argument is None and position is not None and position < len(call.args):
                argument = call.args[position]
            if argument is None:
                self.problems.append(f"{caller_path}:{call.lineno}: no {name.id} passed to {function.name}")
                continue
            values |= self.resolve(caller_path, argument, depth + 1)
        return values


def _sinks(source: _Source) -> list[tuple[Path, ast.Call]]:
    sinks = []
    for name in ("record_event", "AuditEvent"):
        for path, call in source.calls_to(name):
            if path.is_relative_to(ROOT / "audit"):
                continue  # the recorder itself passes its parameter through
            sinks.append((path, call))
    return sinks


def recorded_actions() -> tuple[set[str], list[str]]:
    """Every action string the code can pass to the audit service, and what could not be followed."""
    source = _Source()
    actions: set[str] = set()
    for path, call in _sinks(source):
        argument = next((k.value for k in call.keywords if k.arg == "action"), None)
        if argument is None:
            source.problems.append(
                f"{path.relative_to(ROOT.parent)}:{call.lineno}: audit call without action="
            )
            continue
        actions |= source.resolve(path, argument)
    return actions, source.problems


@pytest.fixture(scope="module")
def found() -> tuple[set[str], list[str]]:
    return recorded_actions()


def test_every_audit_call_site_is_understood(found: tuple[set[str], list[str]]) -> None:
    actions, problems = found
    assert problems == []
    # The reader finds the known shapes: plain strings, a conditional, the role f-strings and the helpers' callers.
    for expected in (
        "content.publish",
        "user.deactivate",
        "user.reactivate",
        "role.unit_manager_units",
        "role.admin_grant",
        "role.advisory_board_revoke",
        "password_reset.create",
        "invitation.accept",
        "content.retire_module",
        "consultation.close",
        "network.member_add",
    ):
        assert expected in actions
    assert len(actions) > 60


def test_every_recorded_action_has_a_german_description(found: tuple[set[str], list[str]]) -> None:
    actions, _problems = found
    missing = sorted(a for a in actions if a not in _DESCRIPTIONS)
    assert missing == [], f"audit actions without a description in lms/audit/describe.py: {missing}"


def test_every_recorded_action_is_in_exactly_one_category(found: tuple[set[str], list[str]]) -> None:
    actions, _problems = found
    uncategorised = sorted(a for a in actions if category_of(a) is None)
    assert uncategorised == [], f"audit actions in no category of the log (never shown): {uncategorised}"
    overlapping = sorted(a for a in actions if sum(1 for c in CATEGORIES if a.startswith(c.prefixes)) > 1)
    assert overlapping == [], f"audit actions in two categories of the log filter: {overlapping}"


def test_the_reader_notices_an_action_without_description(tmp_path: Path) -> None:
    """The search does fail on a new call site: a string the catalogue lacks is reported."""
    source = _Source()
    snippet = ast.parse('def f(session):\n    record_event(session, action="demo.unknown_thing")\n')
    path = ROOT / "demo_snippet.py"
    source.trees[path] = snippet
    source.parents[path] = _parents(snippet)
    call = next(n for n in ast.walk(snippet) if isinstance(n, ast.Call))
    actions = source.resolve(path, call.keywords[0].value)
    assert actions == {"demo.unknown_thing"}
    assert "demo.unknown_thing" not in _DESCRIPTIONS
    fstring = ast.parse('f"role.{other}_grant"', mode="eval").body
    assert source.resolve(path, fstring) == set()
    assert any("not listed in EXPANSIONS" in p for p in source.problems)
