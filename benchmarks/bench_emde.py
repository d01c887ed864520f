"""EMDE on ML-1M with the named cast of the Wikidata film table: sketch encoding throughput, training time per
epoch and Integrated-Gradients attributions per second (batched over users), measured in one run with the paper
profile's network (hidden 1024, 500 held-out users each for validation and test).

Target (issue 12): the paper profile on ML-1M within 5 minutes on two cores; here the parts that dominate it (one
training epoch times the profile's epochs, twice for the Cleora ablation, plus IG for every test user) are timed and
extrapolated.
"""

import time

import numpy as np

from replicate import data, seed_everything, splits
from replicate.papers.emde import explain as emde_ig
from replicate.papers.emde import inputs as emde_inputs
from replicate.papers.emde import modalities as emde_modalities
from replicate.papers.emde import train as emde

TARGET_SECONDS = 300.0
PAPER_EPOCHS = 5


def main():
    seed_everything(0)
    ds = data.load("ml-1m")
    split = splits.strong_generalization(ds, n_heldout=500, seed=0)
    modalities = emde_modalities.build_modalities(ds, people=emde_modalities.cast_people(ds, "films"))
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
    emde_ig.explain(model, test_inputs, targets, steps=32)
    attribute = time.perf_counter() - start
    n_users = len(targets)
    epoch = float(np.mean(history.seconds))
    estimate = 2 * PAPER_EPOCHS * epoch + 2.5 * attribute
    print(f"sketch encoding: {len(split.train_users) / encode:,.0f} users/s ({len(modalities)} modalities)")
    print(f"training: {epoch:.2f} s per epoch ({len(split.train_users)} users, hidden 1024)")
    print(f"IG (32 steps): {n_users / attribute:,.1f} users/s; all {n_users} test users in {attribute:.1f} s")
    print(
        f"paper profile estimate (2 x {PAPER_EPOCHS} epochs + IG): {estimate:.0f} s; "
        f"estimate / target ({TARGET_SECONDS:.0f} s) = {estimate / TARGET_SECONDS:.2f}"
    )
