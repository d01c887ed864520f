"""Sequential skip prediction (Afchar & Hennequin 2020): data, metrics, training, figures.

- :mod:`~replicate.skip.tensors`: sessions as fixed-size arrays (first half / second half), shared by every source;
- :mod:`~replicate.skip.challenge`: the Spotify challenge schema, a loader for its ``log_*.csv`` / ``tf_*.csv``
  files and the encoding of logs into feature groups;
- :mod:`~replicate.skip.sessions`: a generator of sessions in that schema with planted mechanisms;
- :mod:`~replicate.skip.movielens`: the ML-1M analog (chronological rating sessions, dislike as the skip);
- :mod:`~replicate.skip.synthetic`: the paper's two- and four-dimensional toy problems;
- :mod:`~replicate.skip.sources`: which of those sources a run uses, split into train / valid / test;
- :mod:`~replicate.skip.metrics`, :mod:`~replicate.skip.baseline`, :mod:`~replicate.skip.train`,
  :mod:`~replicate.skip.figures`.
"""
