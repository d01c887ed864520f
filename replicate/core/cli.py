"""Command line: ``python -m replicate {run,sweep,book,check,fetch}``."""

from __future__ import annotations

import argparse
import sys

from replicate import paths
from replicate.errors import ReplicateError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m replicate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="execute notebooks (only what is stale) into build/<profile>/<chapter>/")
    run.add_argument("notebooks", nargs="+", metavar="NOTEBOOK", help="name (data) or path (notebooks/data.py)")
    run.add_argument("--profile", default="smoke", help=f"one of {', '.join(paths.PROFILES)} (default smoke)")
    run.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="notebook parameter")
    run.add_argument("--force", action="store_true", help="run even when the outputs are up to date")

    sweep = sub.add_parser("sweep", help="run chapters for several seeds as Dask tasks (a LocalCluster by default)")
    sweep.add_argument("notebooks", nargs="+", metavar="CHAPTER", help="name (emde) or path")
    sweep.add_argument("--seeds", default="0-2", help="0-4, 0,2,5 or 3 (default 0-2)")
    sweep.add_argument("--allow-many-seeds", action="store_true", help="allow more than 20 seeds")
    sweep.add_argument("--profile", default="smoke", help=f"one of {', '.join(paths.PROFILES)} (default smoke)")
    sweep.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE", help="notebook parameter")
    sweep.add_argument("--scheduler", default=None, metavar="ADDRESS", help="an existing Dask scheduler (tcp://...)")
    sweep.add_argument("--workers", type=int, default=None, help="LocalCluster workers (default: one per core)")
    sweep.add_argument("--retries", type=int, default=1, help="re-runs of a job whose worker died (default 1)")
    sweep.add_argument("--force", action="store_true", help="run even when the outputs are up to date")

    book = sub.add_parser("book", help="run stale chapters, then render the site")
    book.add_argument("--profile", default="paper", help=f"one of {', '.join(paths.PROFILES)} (default paper)")
    book.add_argument("--seeds", default=None, help="seeds to run and aggregate (default 0-2 paper, 0 smoke)")
    book.add_argument("--allow-many-seeds", action="store_true", help="allow more than 20 seeds")
    book.add_argument("--scheduler", default=None, metavar="ADDRESS", help="an existing Dask scheduler (tcp://...)")
    book.add_argument("--force", action="store_true", help="re-run every chapter")

    check = sub.add_parser("check", help="prove that figures and claims regenerate (smoke profile)")
    check.add_argument("notebooks", nargs="*", metavar="NOTEBOOK", help="default: every notebook")
    check.add_argument("--no-run", action="store_true", help="check the existing outputs without running anything")
    check.add_argument(
        "--update-reference", action="store_true", help="write the committed reference values from this run"
    )

    fetch = sub.add_parser("fetch", help="fetch the embedded datasets into the data cache")
    fetch.add_argument("datasets", nargs="*", metavar="DATASET", help="default: all embedded ones")
    fetch.add_argument("--data-dir", default=None, help="cache directory (default $REPLICATE_DATA_DIR or user cache)")
    fetch.add_argument("--force", action="store_true", help="download again even when the cache is intact")
    return parser


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "run":
            from replicate.core import runner

            params = runner.parse_assignments(args.param)
            for notebook in args.notebooks:
                result = runner.run(notebook, args.profile, params, force=args.force)
                state = f"ran in {result.seconds:.1f} s" if result.ran else "up to date"
                print(f"{result.name} ({result.profile}): {state} -> {result.directory}")
        elif args.command == "sweep":
            from replicate.core import runner, sweep

            params = runner.parse_assignments(args.param)
            if "seed" in params:
                raise ReplicateError("give the seeds with --seeds, not -p seed=...")
            done = sweep.sweep(
                args.notebooks,
                sweep.parse_seeds(args.seeds, allow_many=args.allow_many_seeds),
                args.profile,
                scheduler=args.scheduler,
                workers=args.workers,
                retries=args.retries,
                force=args.force,
                params=params,
            )
            return 1 if done.failed else 0
        elif args.command == "book":
            from replicate.core import site as book
            from replicate.core import sweep

            seeds = sweep.parse_seeds(args.seeds, allow_many=args.allow_many_seeds) if args.seeds else None
            options = {"scheduler": args.scheduler} if args.scheduler else {}
            book.build(args.profile, force=args.force, seeds=seeds, **options)
        elif args.command == "check":
            from replicate.core import check

            problems = check.check(args.notebooks or None, run=not args.no_run, update=args.update_reference)
            if problems:
                print(f"check failed ({len(problems)} problem(s)):", file=sys.stderr)
                for problem in problems:
                    print(f"  - {problem}", file=sys.stderr)
                return 1
            print("check passed: every declared figure is a real image and every claim matches its reference")
        elif args.command == "fetch":
            from replicate.data import EMBEDDED, fetch

            for name in args.datasets or list(EMBEDDED):
                print(f"{name}: {fetch(name, data_dir=args.data_dir, force=args.force)}")
    except ReplicateError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    return 0
