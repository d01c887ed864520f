"""Benchmarks: ``python -m benchmarks [NAME...]`` runs every ``benchmarks/bench_*.py`` (or the ones named).

Each module has a ``main()`` that measures in one run and prints its numbers and ratios; targets are printed beside
the measurements, never asserted in tests.
"""
