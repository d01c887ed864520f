"""EMDE on ML-100K: sketch encoding throughput, training time per epoch, Integrated-Gradients attributions per
second (batched over users), measured in one run with the paper profile's network.

Target (issue): every ML-100K test user attributed in under 30 s on two cores.
"""

import time

import numpy as np

from replicate import data, seed_everything, splits
from replicate.papers.emde import explain as emde_ig
from replicate.papers.emde import inputs as emde_inputs
from replicate.papers.emde import modalities as emde_modalities
from replicate.papers.emde import train as emde

TARGET_SECONDS = 30.0


def main():
    seed_everything(0)
    ds = data.load("ml-100k")
    split = splits.strong_generalization(ds, n_heldout=150, seed=0)
    modalities = emde_modalities.build_modalities(ds)
    config = emde.Config(hidden=1024, epochs=2)
    ratings = ds.ratings[ds.ratings["user"].isin(split.train_users)]
    emde.fit_codes(modalities, emde_inputs.interaction_graph(ratings, ds.n_items, ds.n_users), config)
    train_inputs = emde_inputs.user_inputs(ds, split.train_users, split.train, split.items)

    start = time.perf_counter()
    emde.input_sketches(modalities, train_inputs, config.width)
    encode = time.perf_counter() - start
    history = emde.train(modalities, train_inputs.liked, train_inputs.disliked, split.items, config, progress=False)
    model = history.model
    _, test_inputs, _ = emde_inputs.split_inputs(ds, split, "test")
    targets = split.items[np.argmax(model.scores(test_inputs), axis=1)]
    start = time.perf_counter()
    emde_ig.explain(model, test_inputs, targets, steps=64)
    attribute = time.perf_counter() - start
    n_users = len(targets)
    print(f"sketch encoding: {len(split.train_users) / encode:,.0f} users/s ({len(modalities)} modalities)")
    print(f"training: {np.mean(history.seconds):.2f} s per epoch ({len(split.train_users)} users, hidden 1024)")
    print(
        f"IG (64 steps): {n_users / attribute:,.1f} users/s; all {n_users} test users in {attribute:.1f} s; "
        f"time / target ({TARGET_SECONDS:.0f} s) = {attribute / TARGET_SECONDS:.2f}"
    )
