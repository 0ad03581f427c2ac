"""The live namespace as the front ends see it: summaries, never the objects themselves.

Summaries are built inside the kernel (``pairrepl_kernel``) with bounded work per
object; this module only holds them and compares two of them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class VariableSummary:
    name: str
    type_name: str
    size: str | None = None  # "(1000, 4)" for a shape, "12" for a len
    dtype: str | None = None
    repr: str = ""  # short and capped
    identity: int | None = None  # id() in the kernel, to tell rebinding from mutation
    fingerprint: str | None = None  # cheap content fingerprint (len/shape/...), when known

    def describe(self) -> str:
        parts = [self.type_name]
        if self.size:
            parts.append(self.size)
        if self.dtype:
            parts.append(self.dtype)
        return " ".join(parts)


@dataclass(frozen=True)
class NamespaceSummary:
    variables: tuple[VariableSummary, ...] = ()
    truncated: bool = False  # more names existed than were summarised
    error: str | None = None  # why no summary could be made (e.g. no pairrepl_kernel)

    def by_name(self) -> dict[str, VariableSummary]:
        return {variable.name: variable for variable in self.variables}

    def to_payload(self) -> dict[str, Any]:
        return {
            "variables": [vars(variable) for variable in self.variables],
            "truncated": self.truncated,
            "error": self.error,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> NamespaceSummary:
        return cls(
            variables=tuple(VariableSummary(**item) for item in payload.get("variables", ())),
            truncated=bool(payload.get("truncated", False)),
            error=payload.get("error"),
        )


class ChangeKind(Enum):
    """How a name that exists before and after a cell changed."""

    REBOUND = "rebound"  # the name points to another object (``x = x + 1``)
    MUTATED = "mutated"  # the same object, changed in place (``items.append(2)``)


@dataclass(frozen=True)
class VariableChange:
    name: str
    before: str | None  # a short description, None when added
    after: str | None  # None when deleted
    how: ChangeKind | None = None  # for changed names; None for added/deleted (and old ledgers)

    def to_payload(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "before": self.before,
            "after": self.after,
            "how": self.how.value if self.how is not None else None,
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> VariableChange:
        how = payload.get("how")
        return cls(
            str(payload["name"]),
            payload.get("before"),
            payload.get("after"),
            ChangeKind(how) if how in _CHANGE_KINDS else None,
        )


_CHANGE_KINDS = {kind.value for kind in ChangeKind}


@dataclass(frozen=True)
class NamespaceDiff:
    """What a cell did to the namespace: ``+`` added, ``~`` changed (rebound, or mutated
    in place where the kernel's summary can tell: same ``id``, other len/shape/content
    fingerprint), ``-`` deleted. Each with short before/after descriptions."""

    added: tuple[VariableChange, ...] = ()
    changed: tuple[VariableChange, ...] = ()
    deleted: tuple[VariableChange, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.deleted)

    @classmethod
    def between(cls, before: NamespaceSummary, after: NamespaceSummary) -> NamespaceDiff:
        old, new = before.by_name(), after.by_name()
        added = [VariableChange(name, None, _short(new[name])) for name in new if name not in old]
        deleted = [VariableChange(name, _short(old[name]), None) for name in old if name not in new]
        changed = [
            VariableChange(name, _short(old[name]), _short(new[name]), _how(old[name], new[name]))
            for name in new
            if name in old and _changed(old[name], new[name])
        ]
        return cls(tuple(added), tuple(changed), tuple(deleted))

    def to_payload(self) -> dict[str, Any]:
        return {
            key: [change.to_payload() for change in getattr(self, key)]
            for key in ("added", "changed", "deleted")
        }

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> NamespaceDiff:
        def changes(key: str) -> tuple[VariableChange, ...]:
            return tuple(VariableChange.from_payload(item) for item in payload.get(key, ()))

        return cls(changes("added"), changes("changed"), changes("deleted"))


#: How ``pairrepl_kernel`` marks a value it could not look at in time: nothing is known of it
#: but its identity and type.
UNKNOWN_REPRS = ("<repr timed out>", "<not summarised:")


def _unknown(variable: VariableSummary) -> bool:
    return variable.repr.startswith(UNKNOWN_REPRS)


def _changed(old: VariableSummary, new: VariableSummary) -> bool:
    """Whether a cell changed this name. A value whose summary timed out (before or after)
    is unknown, never a change: only another object or another type is."""
    if _unknown(old) or _unknown(new):
        return old.identity != new.identity or old.type_name != new.type_name
    return (
        old.identity != new.identity
        or old.type_name != new.type_name
        or old.size != new.size
        or old.fingerprint != new.fingerprint
        or old.repr != new.repr
    )


def _how(old: VariableSummary, new: VariableSummary) -> ChangeKind:
    """Same object (``id``) and type: changed in place. Anything else: rebound."""
    same_object = old.identity is not None and old.identity == new.identity
    if same_object and old.type_name == new.type_name:
        return ChangeKind.MUTATED
    return ChangeKind.REBOUND


SHORT_REPR = 32


def _short(variable: VariableSummary) -> str:
    """``list 3  [1, 2, 3]``: type, size and dtype, then the start of the repr."""
    description = variable.describe()
    value = variable.repr
    if len(value) > SHORT_REPR:
        value = value[: SHORT_REPR - 1] + "…"
    return f"{description}  {value}" if value else description
