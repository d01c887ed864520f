"""What a chapter's training costs beyond its dense products, and what the one cut that would remove most of the
rest does to the numbers, measured in one run.

Each chapter's own ``train()`` runs one epoch at the paper profile's sizes (ML-1M, or the generated sessions of the
skip chapter) on ONE torch thread, four times from the same seed:

0. a warm-up (first-call costs), whose weights are the control: run 1 must leave the same, bit for bit;
1. as the chapter runs it, with the optimiser's steps timed by torch's global optimiser hooks: the epoch's wall time
   and Adam's share of it;
2. under :class:`benchmarks.bench_floors.ProductClock`: the seconds inside the matrix products (what the floors
   count);
3. with Adam's fused kernel (``fused=True``, one pass over each parameter instead of a dozen elementwise kernels),
   its steps timed by the same hooks: what fused Adam would save, and whether it leaves the same weights as run 1
   (the largest difference of any parameter).

The line per chapter reads: epoch wall / products (what an epoch of the chapter's training is over the floor's
unit of work), Adam's seconds and share, fused Adam's seconds, and the weight difference. A difference of zero
would make fused Adam a free cut; a non-zero one changes every number the claims read downstream (the trained
weights), which the book does not do for speed (issue 35).
"""

import contextlib
import time
from collections.abc import Callable

import numpy as np
import torch

from replicate import data, seed_everything, splits
from replicate.repro import torch_threads

SEED = 1  # an extra seed's split and initialisation


@contextlib.contextmanager
def adam_clock(times: list[float]):
    """Append the wall seconds of every optimiser step taken in the block to ``times`` (torch's global hooks)."""
    from torch.optim.optimizer import register_optimizer_step_post_hook, register_optimizer_step_pre_hook

    started = []
    pre = register_optimizer_step_pre_hook(lambda *_: started.append(time.perf_counter()))
    post = register_optimizer_step_post_hook(lambda *_: times.append(time.perf_counter() - started.pop()))
    try:
        yield times
    finally:
        pre.remove()
        post.remove()


@contextlib.contextmanager
def fused_adam():
    """``torch.optim.Adam`` builds the fused kernel in the block (the chapters look it up at call time)."""
    original = torch.optim.Adam

    class Fused(original):
        def __init__(self, params, **kwargs):
            kwargs.pop("foreach", None)
            super().__init__(params, **{**kwargs, "fused": True})

    torch.optim.Adam = Fused
    try:
        yield
    finally:
        torch.optim.Adam = original


def cvae() -> tuple[str, Callable[[], torch.nn.Module]]:
    """The C-VAE (genre-conditioned, hidden 600, latent 200, batches of 500) for one epoch, validation included."""
    from replicate.papers.cvae import train as train_vae
    from replicate.papers.cvae.conditions import genre_conditions
    from replicate.papers.cvae.model import MultVAE

    ds = data.load("ml-1m")
    split = splits.strong_generalization(ds, n_heldout=600, seed=SEED)
    conditions = genre_conditions(ds, split.items)

    def epoch():
        torch.manual_seed(SEED)
        model = MultVAE(split.n_items, conditions.n)
        config = train_vae.Config(epochs=1, seed=SEED)
        train_vae.train(model, split.train, split.valid_in, split.valid_out, config, conditions, progress=False)
        return model

    return "C-VAE, batches of 500", epoch


def emde() -> tuple[str, Callable[[], torch.nn.Module]]:
    """EMDE's network (hidden 1024, the five modalities' sketches, batches of 64) for one epoch."""
    from replicate.papers.emde import inputs as emde_inputs
    from replicate.papers.emde import modalities as emde_modalities
    from replicate.papers.emde import train as emde_train

    ds = data.load("ml-1m")
    split = splits.strong_generalization(ds, n_heldout=500, seed=SEED)
    modalities = emde_modalities.build_modalities(ds, people=emde_modalities.cast_people(ds, "films"))
    config = emde_train.Config(hidden=1024, epochs=1, seed=SEED)
    ratings = ds.ratings[ds.ratings["user"].isin(split.train_users)]
    emde_train.fit_codes(modalities, emde_inputs.interaction_graph(ratings, ds.n_items, ds.n_users), config)
    inputs = emde_inputs.user_inputs(ds, split.train_users, split.train, split.items)

    def epoch():
        history = emde_train.train(modalities, inputs.liked, inputs.disliked, split.items, config, progress=False)
        return history.model.net

    return "EMDE, batches of 64", epoch


def reconet() -> tuple[str, Callable[[], torch.nn.Module]]:
    """RecoNet with attributes (dim 64, batches of 1,024, every ML-1M user) for one epoch."""
    from replicate.papers.reconet import features
    from replicate.papers.reconet import train as reconet_train

    ds = data.load("ml-1m")
    split = splits.per_user_split(ds, min_rating=3, seed=SEED)
    space = features.feature_space(ds, split, attributes=True)

    def epoch():
        config = reconet_train.RecoNetConfig(epochs=1)
        return reconet_train.train(space, split.train, config, seed=SEED, progress=False).model

    return "RecoNet, batches of 1,024", epoch


def skip() -> tuple[str, Callable[[], torch.nn.Module]]:
    """The interpretable transformer (9 experts) on 12,000 generated sessions, batches of 256, for one epoch."""
    from benchmarks.bench_skip import PAPER_SESSIONS, build
    from replicate.papers.skip import sources
    from replicate.papers.skip import train as skip_train

    train_, valid, _ = sources.synthetic_sessions(PAPER_SESSIONS, seed=SEED, noise=0.05)

    def epoch():
        seed_everything(SEED)
        model = build("interpretable", train_)
        config = skip_train.Config(epochs=1, batch_size=256, lr=3e-3, seed=SEED, progress=False)
        skip_train.train(model, train_, valid, config)
        return model

    return "interpretable transformer, batches of 256", epoch


CHAPTERS = {"cvae": cvae, "emde": emde, "reconet": reconet, "skip": skip}


def gap(a: torch.nn.Module, b: torch.nn.Module) -> float:
    """The largest absolute difference between the two models' parameters (0.0: bit for bit the same)."""
    with torch.no_grad():
        return max(float((x - y).abs().max()) for x, y in zip(a.parameters(), b.parameters(), strict=True))


def measure(epoch: Callable[[], torch.nn.Module]) -> dict:
    """The four runs of the module docstring on one thread; seconds and the weight differences."""
    from benchmarks.bench_floors import ProductClock

    with torch_threads(1):
        warm = epoch()
        adam: list[float] = []
        with adam_clock(adam):
            started = time.perf_counter()
            reference = epoch()
            wall = time.perf_counter() - started
        with ProductClock() as clock:
            epoch()
        fused_adam_steps: list[float] = []
        with fused_adam(), adam_clock(fused_adam_steps):
            fused = epoch()
    return {
        "wall": wall,
        "products": clock.seconds,
        "adam": float(np.sum(adam)),
        "steps": len(adam),
        "fused": float(np.sum(fused_adam_steps)),
        "gap": gap(reference, fused),
        "repeat_gap": gap(reference, warm),
    }


def line(name: str, what: str, m: dict) -> str:
    if m["repeat_gap"] > 0:
        verdict = f"but the same epoch twice differs by {m['repeat_gap']:.1e}: no comparison"
    elif m["gap"] == 0:
        verdict = "the same weights: a free cut"
    else:
        verdict = f"weights differ by up to {m['gap']:.1e} (the same epoch twice: identical): not taken"
    return (
        f"{name} ({what}): one epoch {m['wall']:.1f} s for {m['steps']:,} steps, products {m['products']:.1f} s "
        f"(epoch / products = {m['wall'] / max(m['products'], 1e-9):.2f}), Adam {m['adam']:.1f} s "
        f"({m['adam'] / m['wall']:.0%}); fused Adam {m['fused']:.1f} s (would save "
        f"{(m['adam'] - m['fused']) / m['wall']:.0%} of the epoch), {verdict}"
    )


def main(chapters=tuple(CHAPTERS)):
    for name in chapters:
        what, epoch = CHAPTERS[name]()
        print(line(name, what, measure(epoch)), flush=True)
