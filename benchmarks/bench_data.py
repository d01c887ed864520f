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
