"""Helper package behind the interpretable-recsys replication book.

Notebooks stay narrative and call into this package, where all logic lives. Imports point one way, down:

- :mod:`replicate.papers` holds one package per paper (``emde``, ``cvae``, ``reconet``, ``skip``): model, training,
  explanations, experiments, figures. A paper package never imports another paper package.
- Shared science below them: :mod:`replicate.data` (loaders, the ``Dataset`` type), :mod:`replicate.splits`,
  :mod:`replicate.metrics`, :mod:`replicate.stats`, :mod:`replicate.plots`, :mod:`replicate.repro`,
  :mod:`replicate.sparse` and :mod:`replicate.baselines`; with :mod:`replicate.paths` and :mod:`replicate.errors`
  at the bottom.
- :mod:`replicate.core` is the book machinery, no science: ``chapter`` (what a notebook talks to), ``claims``
  (rules, verdicts, aggregation over seeds, the scorecard), ``runner`` (papermill), ``sweep`` (seeds on Dask),
  ``check`` (regeneration), ``site`` (Jupyter Book) and ``cli`` (``python -m replicate``). No shared module imports it.
"""

from replicate.errors import ReplicateError
from replicate.repro import resolve_device, seed_everything

__all__ = ["ReplicateError", "resolve_device", "seed_everything"]
__version__ = "0.1.0"
