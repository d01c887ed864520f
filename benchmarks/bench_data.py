"""Data layer: what the sha256 check costs next to parsing, per embedded dataset, and what the film join costs (the
table's keys built once, then each dataset's join), measured in one run."""

import time

from replicate import data
from replicate.data import atomic, embedded, films
from replicate.paths import data_root

PARSERS = {"ml-100k": atomic.load_ml100k, "ml-1m": atomic.load_ml1m}


def _best_of(function, repeat=3):
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    data.ensure_embedded()
    for name, parse in PARSERS.items():
        directory = data_root() / name
        spec = embedded.EMBEDDED[name]
        verify = _best_of(lambda spec=spec, directory=directory: embedded.verify(spec, directory))
        load = _best_of(lambda parse=parse, directory=directory: parse(directory))
        size = sum((directory / f).stat().st_size for f in spec.files) / 2**20
        print(
            f"{name}: sha256 check {verify * 1e3:.0f} ms ({size / verify:.0f} MiB/s), parse {load * 1e3:.0f} ms, "
            f"check/parse = {verify / load:.2f}"
        )

    table = films.load_table()
    load_table = _best_of(lambda: (films._TABLE_CACHE.clear(), films.load_table()))  # read and parsed anew
    for name in PARSERS:
        dataset = data.load(name)

        def fresh_join(dataset=dataset):
            films._MATCH_CACHE.clear()
            films._KEYS_CACHE.clear()
            films.key.cache_clear()
            return films.match(dataset, table=table)

        cold = _best_of(fresh_join)
        films._MATCH_CACHE.clear()
        warm = _best_of(lambda dataset=dataset: (films._MATCH_CACHE.clear(), films.match(dataset, table=table)))
        joined = films.match(dataset, table=table)
        print(
            f"{name}: film table read {load_table * 1e3:.0f} ms; join {cold * 1e3:.0f} ms with the table's keys, "
            f"{warm * 1e3:.0f} ms once they are built ({len(joined):,} of {dataset.n_items:,} movies matched)"
        )


def floor() -> tuple[float, str]:
    """The floor of one extra seed of the data chapter, which trains nothing: the reading and joining of the data it
    cannot avoid (notebooks/data.py), measured here on one thread: parsing ML-100K's and ML-1M's files, reading the
    film table, and joining each dataset to it with the table's keys built anew; the sha256 checks, the naive join
    of the comparison, the summaries and figures free."""
    from replicate.repro import torch_threads

    data.ensure_embedded()
    with torch_threads(1):
        parse = sum(
            _best_of(lambda parse=parse, name=name: parse(data_root() / name)) for name, parse in PARSERS.items()
        )
        read = _best_of(lambda: (films._TABLE_CACHE.clear(), films.load_table()), repeat=2)
        table = films.load_table()
        datasets = [data.load(name) for name in PARSERS]

        def joins():
            films._MATCH_CACHE.clear()
            films._KEYS_CACHE.clear()
            films.key.cache_clear()
            for dataset in datasets:
                films.match(dataset, table=table)

        join = _best_of(joins, repeat=2)
    return parse + read + join, (
        f"parse {' + '.join(PARSERS)} {parse:.2f} s, read the film table {read:.2f} s, join both to it {join:.2f} s"
    )
