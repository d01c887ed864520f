"""EMDE (Dąbrowski et al. 2020, arXiv 2006.01894): item embeddings per modality, density-dependent LSH, count
sketches, and a residual feed-forward network from input sketches to an output sketch.

- :mod:`.embedding`: a Cleora-style graph embedding (random start, repeated propagation over a co-occurrence graph).
- :mod:`.lsh`: density-dependent locality-sensitive hashing into ``n_sketches`` sketches of width ``2**depth``.
- :mod:`.sketch`: user sketches from the items (or entities) of a modality, and decoding item scores from a sketch.
- :mod:`.network`: the network.
- :mod:`.modalities`: the modalities (units, their movies); :mod:`.inputs`: users' input movies;
  :mod:`.train`: codes, sketches, the model, training and evaluation; :mod:`.explain`: IG decoded to units and movies;
  :mod:`.figures`: the chapter's plots.
"""
