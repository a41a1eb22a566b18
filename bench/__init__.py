import time
from collections.abc import Callable


def finish(failures: list[str], separator: str = ", ") -> int:
    """Print the run's verdict — «FAIL: …» naming what missed its goal, or «OK» — and the exit status."""
    if failures:
        print("FAIL: " + separator.join(failures))
        return 1
    print("OK")
    return 0


def best_in_turns(*functions: Callable[[], object], runs: int, clock: Callable[[], float] = time.perf_counter) -> list[float]:
    """The best time, in seconds, of each function, run ``runs`` times in turns, so that all see the same
    load of a shared machine."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for found, function in zip(times, functions, strict=True):
            started = clock()
            function()
            found.append(clock() - started)
    return [min(found) for found in times]
