"""One transition function per state machine; undefined moves are refused."""

from __future__ import annotations

from collections.abc import Mapping

from fraudhub.core.errors import InvalidTransition


class StateMachine:
    def __init__(self, name: str, transitions: Mapping[str, set[str]]) -> None:
        self.name = name
        self._transitions = {k: frozenset(v) for k, v in transitions.items()}

    def allowed(self, current: str) -> frozenset[str]:
        return self._transitions.get(current, frozenset())

    def check(self, current: str, new: str) -> None:
        if new not in self.allowed(current):
            raise InvalidTransition(f"{self.name}: cannot go from {current!r} to {new!r}")
