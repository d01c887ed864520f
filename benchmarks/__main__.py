import importlib
import pkgutil
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    found = sorted(m.name for m in pkgutil.iter_modules([str(Path(__file__).parent)]) if m.name.startswith("bench_"))
    chosen = [f"bench_{n}" if not n.startswith("bench_") else n for n in argv] or found
    unknown = sorted(set(chosen) - set(found))
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}: valid ones are {', '.join(found)}", file=sys.stderr)
        return 2
    for name in chosen:
        print(f"== {name}")
        importlib.import_module(f"benchmarks.{name}").main()
    return 0


sys.exit(main(sys.argv[1:]))
