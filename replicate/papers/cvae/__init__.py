"""Carraro et al. 2020, *A look inside the black-box*: Mult-VAE and C-VAE (``model``), genre conditions
(``conditions``), training and evaluation (``train``: ``Config``, ``train()`` -> ``History``, ``evaluate()``), the
latent PCA (``latent``), the paper's observations on trained and untrained models side by side (``observations``),
and the chapter's figures (``figures``)."""
