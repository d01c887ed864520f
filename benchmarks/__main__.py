import contextlib
import datetime as dt
import importlib
import io
import json
import os
import pkgutil
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).parent / "results.json"


class _Tee(io.TextIOBase):
    """Writes to the terminal and keeps a copy (a benchmark's lines go to the results file too)."""

    def __init__(self, *streams):
        self.streams = streams

    def write(self, text):
        for stream in self.streams:
            stream.write(text)
        return len(text)

    def flush(self):
        for stream in self.streams:
            stream.flush()


def record(name: str, lines: list[str], seconds: float, results: Path = RESULTS) -> None:
    """Keep what benchmark ``name`` printed, with the machine, the date and the commit, in ``results`` (the book's
    cost page reads it); written whole through a temporary file."""
    from replicate import paths
    from replicate.repro import git_state, machine_environment

    # the results file itself changes between two benchmarks of one run: not a change to the code measured
    own = (str(results.resolve().relative_to(paths.REPO)),) if results.resolve().is_relative_to(paths.REPO) else ()
    env, state = machine_environment(), git_state(ignore=own)
    saved = json.loads(results.read_text()) if results.is_file() else {"benchmarks": {}}
    saved.setdefault("benchmarks", {})[name] = {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": state.get("commit"),
        "clean": state.get("clean", True),
        "machine": {"cpu": env.get("cpu"), "cores": os.cpu_count(), "gpu": env.get("gpu")},
        "seconds": round(seconds, 1),
        "lines": lines,
    }
    paths.write_whole(results, json.dumps(saved, indent=1, sort_keys=True) + "\n")


def main(argv: list[str]) -> int:
    found = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    chosen = [f"bench_{n}" if not n.startswith("bench_") else n for n in argv] or found
    unknown = sorted(set(chosen) - set(found))
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}: valid ones are {', '.join(found)}", file=sys.stderr)
        return 2
    for name in chosen:
        print(f"== {name}")
        copy = io.StringIO()
        started = time.perf_counter()
        with contextlib.redirect_stdout(_Tee(sys.stdout, copy)):
            importlib.import_module(f"benchmarks.{name}").main()
        if os.environ.get("BENCH_RECORD", "1") != "0":  # BENCH_RECORD=0: print only
            record(name.removeprefix("bench_"), copy.getvalue().splitlines(), time.perf_counter() - started)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
