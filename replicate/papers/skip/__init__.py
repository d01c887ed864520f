"""Sequential skip prediction (Afchar & Hennequin 2020): data, metrics, training, figures.

- :mod:`~replicate.papers.skip.tensors`: sessions as fixed-size arrays (first half / second half), shared by
  every source;
- :mod:`~replicate.papers.skip.challenge`: the Spotify challenge schema, a loader for its ``log_*.csv`` / ``tf_*.csv``
  files and the encoding of logs into feature groups;
- :mod:`~replicate.papers.skip.sessions`: a generator of sessions in that schema with planted mechanisms;
- :mod:`~replicate.papers.skip.movielens`: the ML-1M analog (chronological rating sessions, dislike as the skip);
- :mod:`~replicate.papers.skip.toys`: the paper's two- and four-dimensional toy problems;
- :mod:`~replicate.papers.skip.sources`: which of those sources a run uses, split into train / valid / test;
- :mod:`~replicate.papers.skip.metrics`, :mod:`~replicate.papers.skip.baseline`, :mod:`~replicate.papers.skip.train`
  (``Config``, ``train()`` returning a ``History``, ``evaluate()``; the toys' EM and sequential training),
  :mod:`~replicate.papers.skip.figures`;
- :mod:`~replicate.papers.skip.measure`: every claim's measurement, interval and rule, shared by the notebook and
  the null-model tests.
"""
