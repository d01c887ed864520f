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


# What one extra seed of the paper profile runs through the network (notebooks/emde.py): three trainings of the
# profile's epochs (the model, the interactions-only model of the supporting-modalities check, the three-step Cleora
# ablation; the untrained null trains none), IG over 32 steps for the test users (the model and the untrained null),
# the paper's movies (up to 6 x 50 users, counted in full) and Schindler's List (15 users), and the forward passes
# that score: IG's f(x) and f(0) per explained user, the test users under four networks and the 1,000 pool users.
PAPER_HELDOUT, PAPER_STEPS, PER_MOVIE, MOVIES, FOCUS_USERS = 500, 32, 50, 6, 15


def floor() -> tuple[float, str]:
    """The float32 floor of one extra seed of the paper profile: the dense products (the ``aten::mm`` family timed by
    :class:`~benchmarks.bench_floors.ProductClock`, one thread) of the network's training steps, IG's forward and
    input-gradient passes and the scoring forward passes, per row at the paper's sizes, times the rows the notebook runs
    through them; the sketches, the codes, EASE, the measurements and Adam's update free."""
    import torch

    from benchmarks.bench_floors import product_seconds
    from replicate.papers.emde.network import EMDENet, sketch_loss
    from replicate.repro import torch_threads

    ds = data.load("ml-1m")
    split = splits.strong_generalization(ds, n_heldout=PAPER_HELDOUT, seed=1)
    n_modalities = len(emde_modalities.build_modalities(ds, people=emde_modalities.cast_people(ds, "films")))
    config = emde.Config(hidden=1024, epochs=PAPER_EPOCHS)
    n_train = len(split.train_users)
    batches = int(np.ceil(n_train / config.batch_size))
    out_dim = config.n_sketches * config.width
    torch.manual_seed(0)

    def net(modalities: int) -> EMDENet:
        return EMDENet(modalities * out_dim, config.n_sketches, config.width, config.hidden, config.layers)

    def train_step(model: EMDENet, x: torch.Tensor, y: torch.Tensor):
        model.zero_grad()
        sketch_loss(model.logits(x), y).backward()

    full, interactions = net(n_modalities), net(2)
    y = torch.softmax(torch.randn(config.batch_size, config.n_sketches, config.width), dim=-1)
    ig_rows = 64 * PAPER_STEPS  # one IG batch: 64 users x the steps
    x_ig = torch.rand(ig_rows, n_modalities * out_dim)
    x_score = torch.rand(512, n_modalities * out_dim)

    def ig_step():
        x = x_ig.clone().requires_grad_(True)
        torch.autograd.grad(full(x)[:, :, 0].sum(), x)

    def score_step():
        with torch.no_grad():
            full(x_score)

    with torch_threads(1):
        full.train(), interactions.train()
        step_full = product_seconds(lambda: train_step(full, torch.rand(config.batch_size, n_modalities * out_dim), y))
        step_two = product_seconds(lambda: train_step(interactions, torch.rand(config.batch_size, 2 * out_dim), y))
        full.eval()
        ig = product_seconds(ig_step) / ig_rows
        forward = product_seconds(score_step) / len(x_score)
    explained = 2 * PAPER_HELDOUT + MOVIES * PER_MOVIE + FOCUS_USERS
    scored = 4 * PAPER_HELDOUT + 2 * PAPER_HELDOUT + 2 * explained
    training = config.epochs * batches * (2 * step_full + step_two)
    seconds = training + explained * PAPER_STEPS * ig + scored * forward
    return seconds, (
        f"network products: 3 trainings x {config.epochs} epochs x {batches} batches of {config.batch_size} "
        f"({training:.1f} s), IG of {explained:,} users x {PAPER_STEPS} steps ({explained * PAPER_STEPS * ig:.1f} s), "
        f"{scored:,} scoring rows ({scored * forward:.1f} s); {n_modalities} modalities, hidden {config.hidden}"
    )
