"""Combining concurrent callers' work into one call (flat combining, as in a group commit).

A thread that arrives while no one is running leads: it takes the items waiting, oldest first
(at most a batch), runs them in one call, hands each caller its own outcome, and goes on
leading until its own item is done. Threads that arrive meanwhile wait and are served by the
next round. Alone, a caller runs its item at once, so combining adds no delay when there is
nothing to combine; under load the rounds grow with the number of callers waiting.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Outcome = TypeVar("Outcome")

logger = logging.getLogger(__name__)


def together_or_each(run_many: Callable[[Sequence[Item]], Sequence[Outcome]],
                     items: Sequence[Item], *, what: str) -> list[Outcome | Exception]:
    """Run the items together; if that fails, each alone, answering its own outcome.

    Callers combined into one round are strangers: one item must not fail the others. Only an
    item that fails alone gets an error (an item alone has its exception raised).
    """
    try:
        return list(run_many(items))
    except Exception:
        if len(items) == 1:
            raise
        logger.warning("%s: %d together failed; each alone", what, len(items), exc_info=True)
    outcomes: list[Outcome | Exception] = []
    for item in items:
        try:
            outcomes.append(run_many([item])[0])
        except Exception as exc:
            outcomes.append(exc)
    return outcomes


class _Slot(Generic[Item, Outcome]):
    __slots__ = ("done", "error", "item", "result")

    def __init__(self, item: Item) -> None:
        self.item = item
        self.done = False
        self.result: Outcome | None = None
        self.error: BaseException | None = None


class Combiner(Generic[Item, Outcome]):
    """Runs `run_many` on the items of concurrent `run` callers, at most `max_batch` at once.

    `run_many` must answer one outcome per item; an exception it raises as a whole is every
    item's outcome. Each caller gets back its own result or has its own exception raised.
    """

    def __init__(self, run_many: Callable[[Sequence[Item]], Sequence[Outcome | Exception]], *,
                 max_batch: int) -> None:
        if max_batch < 1:
            raise ValueError("max_batch must be at least 1")
        self._run_many = run_many
        self._max_batch = max_batch
        self._changed = threading.Condition()
        self._waiting: deque[_Slot[Item, Outcome]] = deque()
        self._leading = False
        # Calls of run_many so far and the items they took: items / rounds is how much
        # combining there was.
        self.rounds = 0
        self.items = 0

    @property
    def waiting(self) -> int:
        """Items queued for a round that has not started."""
        with self._changed:
            return len(self._waiting)

    def run(self, item: Item) -> Outcome:
        slot: _Slot[Item, Outcome] = _Slot(item)
        with self._changed:
            self._waiting.append(slot)
            while self._leading and not slot.done:
                self._changed.wait()
            if not slot.done:
                self._leading = True
        if not slot.done:
            self._lead(slot)
        if slot.error is not None:
            raise slot.error
        return slot.result  # type: ignore[return-value]  # set whenever error is not

    def _lead(self, own: _Slot[Item, Outcome]) -> None:
        try:
            while not own.done:
                with self._changed:
                    batch = [self._waiting.popleft()
                             for _ in range(min(self._max_batch, len(self._waiting)))]
                self._run_round(batch)
        finally:
            with self._changed:
                self._leading = False
                self._changed.notify_all()

    def _run_round(self, batch: list[_Slot[Item, Outcome]]) -> None:
        outcomes: Sequence[Outcome | Exception]
        try:
            outcomes = self._run_many([slot.item for slot in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for {len(batch)} items")
        except Exception as exc:
            outcomes = [exc] * len(batch)
        except BaseException as exc:  # interrupted: no caller may wait forever
            self._finish(batch, [exc] * len(batch))
            raise
        self._finish(batch, outcomes)

    def _finish(self, batch: list[_Slot[Item, Outcome]],
                outcomes: Sequence[Outcome | BaseException]) -> None:
        with self._changed:
            self.rounds += 1
            self.items += len(batch)
            for slot, outcome in zip(batch, outcomes, strict=True):
                if isinstance(outcome, BaseException):
                    slot.error = outcome
                else:
                    slot.result = outcome
                slot.done = True
            self._changed.notify_all()
