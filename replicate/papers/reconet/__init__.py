"""Fusco et al. 2019, *RecoNet*: model, feature space and example generator, training, Table 1, cold start,
LRP, LIME, deletion, figures."""
