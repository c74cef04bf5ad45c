"""core.combining.Combiner: concurrent callers' items run together, each gets its own outcome."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import pytest

from fraudhub.core.combining import Combiner, together_or_each

WAIT_SECONDS = 10.0


class Recorder:
    """A run_many that records its rounds and can hold the first one until told to go on."""

    def __init__(self, answer: Callable[[int], int | Exception] = lambda n: n * 10,
                 hold_first: bool = False) -> None:
        self.rounds: list[list[int]] = []
        self.answer = answer
        self.first_started = threading.Event()
        self.release = threading.Event()
        if not hold_first:
            self.release.set()

    def __call__(self, items: Sequence[int]) -> list[int | Exception]:
        self.rounds.append(list(items))
        if len(self.rounds) == 1:
            self.first_started.set()
            assert self.release.wait(WAIT_SECONDS)
        return [self.answer(item) for item in items]


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)


def _run_in_threads(combiner: Combiner[int, int], items: Sequence[int]
                    ) -> tuple[list[threading.Thread], dict[int, int | BaseException]]:
    outcomes: dict[int, int | BaseException] = {}

    def call(item: int) -> None:
        try:
            outcomes[item] = combiner.run(item)
        except BaseException as exc:
            outcomes[item] = exc

    threads = [threading.Thread(target=call, args=(item,)) for item in items]
    for thread in threads:
        thread.start()
    return threads, outcomes


def _join(threads: list[threading.Thread]) -> None:
    for thread in threads:
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive()


def _queued_behind_a_held_round(combiner: Combiner[int, int], recorder: Recorder, first: int,
                                 then: Sequence[int]) -> dict[int, int | BaseException]:
    """Run `first` as a round held open, queue `then` behind it, let it go; every outcome."""
    first_thread, outcomes = _run_in_threads(combiner, [first])
    assert recorder.first_started.wait(WAIT_SECONDS)
    waiting, queued = _run_in_threads(combiner, then)
    _wait_until(lambda: combiner.waiting == len(then))
    recorder.release.set()
    _join(first_thread + waiting)
    return outcomes | queued


def test_a_caller_alone_runs_its_item_at_once() -> None:
    recorder = Recorder()
    combiner: Combiner[int, int] = Combiner(recorder, max_batch=10)

    assert combiner.run(4) == 40
    assert combiner.run(5) == 50
    assert recorder.rounds == [[4], [5]]


def test_callers_arriving_while_a_round_runs_are_served_together_by_the_next() -> None:
    recorder = Recorder(hold_first=True)
    combiner: Combiner[int, int] = Combiner(recorder, max_batch=10)

    outcomes = _queued_behind_a_held_round(combiner, recorder, 1, [2, 3, 4, 5, 6])

    assert outcomes == {1: 10, 2: 20, 3: 30, 4: 40, 5: 50, 6: 60}
    assert len(recorder.rounds) == 2
    assert sorted(recorder.rounds[1]) == [2, 3, 4, 5, 6]
    assert (combiner.rounds, combiner.items) == (2, 6)


def test_a_round_takes_at_most_max_batch_items() -> None:
    recorder = Recorder(hold_first=True)
    combiner: Combiner[int, int] = Combiner(recorder, max_batch=2)

    outcomes = _queued_behind_a_held_round(combiner, recorder, 0, [1, 2, 3, 4, 5])

    assert outcomes == {n: n * 10 for n in range(6)}
    assert [len(r) for r in recorder.rounds] == [1, 2, 2, 1]


def test_an_item_s_exception_is_raised_to_its_caller_only() -> None:
    refused = ValueError("item 3 refused")
    recorder = Recorder(answer=lambda n: refused if n == 3 else n * 10, hold_first=True)
    combiner: Combiner[int, int] = Combiner(recorder, max_batch=10)

    outcomes = _queued_behind_a_held_round(combiner, recorder, 1, [2, 3, 4])

    assert outcomes == {1: 10, 2: 20, 3: refused, 4: 40}


def _failing_first(error: BaseException) -> Callable[[Sequence[int]], list[int | Exception]]:
    """A run_many that raises ``error`` in its first round and answers each item after."""
    calls = 0

    def run_many(items: Sequence[int]) -> list[int | Exception]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise error
        return list(items)

    return run_many


def test_a_round_that_fails_as_a_whole_fails_its_callers_and_the_next_round_runs() -> None:
    combiner: Combiner[int, int] = Combiner(
        _failing_first(RuntimeError("database went away")), max_batch=10)
    with pytest.raises(RuntimeError, match="database went away"):
        combiner.run(1)
    assert combiner.run(2) == 2


def test_a_wrong_number_of_outcomes_is_an_error_for_every_caller() -> None:
    combiner: Combiner[int, int] = Combiner(lambda items: [], max_batch=10)
    with pytest.raises(RuntimeError, match="0 outcomes for 1 items"):
        combiner.run(1)


def test_an_interrupted_round_releases_its_callers_and_the_lead() -> None:
    combiner: Combiner[int, int] = Combiner(_failing_first(KeyboardInterrupt()), max_batch=10)
    with pytest.raises(KeyboardInterrupt):
        combiner.run(1)
    assert combiner.waiting == 0
    assert combiner.run(7) == 7


def test_max_batch_below_one_is_refused() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Combiner(lambda items: list(items), max_batch=0)


def _doubled_unless_seven(items: Sequence[int]) -> list[int]:
    if 7 in items:
        raise ValueError("seven")
    return [item * 2 for item in items]


def test_items_that_fail_together_are_run_each_alone_and_only_the_bad_one_fails() -> None:
    calls: list[list[int]] = []

    def run_many(items: Sequence[int]) -> list[int]:
        calls.append(list(items))
        return _doubled_unless_seven(items)

    outcomes = together_or_each(run_many, [1, 7, 3], what="doubling")

    assert outcomes[0] == 2 and outcomes[2] == 6
    assert isinstance(outcomes[1], ValueError) and str(outcomes[1]) == "seven"
    assert calls == [[1, 7, 3], [1], [7], [3]]
    assert together_or_each(run_many, [4, 5], what="doubling") == [8, 10]


def test_an_item_alone_that_fails_has_its_exception_raised() -> None:
    with pytest.raises(ValueError, match="seven"):
        together_or_each(_doubled_unless_seven, [7], what="doubling")
