def finish(failures: list[str], separator: str = ", ") -> int:
    """Print the run's verdict — «FAIL: …» naming what missed its goal, or «OK» — and the exit status."""
    if failures:
        print("FAIL: " + separator.join(failures))
        return 1
    print("OK")
    return 0
