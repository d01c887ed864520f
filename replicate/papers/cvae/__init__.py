"""Carraro et al. 2020, *A look inside the black-box*: Mult-VAE and C-VAE, conditions, training, latent PCA."""
