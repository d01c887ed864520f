"""Helper package behind the interpretable-recsys replication book.

Notebooks stay narrative and call into this package, where all logic lives:

- :mod:`replicate.data` loads MovieLens (embedded copies fetched from package wheels, or GroupLens files from a path).
- :mod:`replicate.core.chapter` is what a notebook talks to: it saves figures under stable names and records claims.
- :mod:`replicate.core.claims` holds claim records, the rules that decide a verdict, and the scorecard.
- :mod:`replicate.core.runner`, :mod:`replicate.core.site` and :mod:`replicate.core.check` are the pipeline behind
  ``python -m replicate run|book|check``.
"""

from replicate.errors import ReplicateError
from replicate.repro import resolve_device, seed_everything

__all__ = ["ReplicateError", "resolve_device", "seed_everything"]
__version__ = "0.1.0"
