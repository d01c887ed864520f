"""Whether ``torch.compile`` (inductor, CPU) is a cut for the book's training steps, measured in one run on the C-VAE,
the chapter with the largest share of training: 40 optimiser steps at the paper's sizes (batches of 500 conditioned
examples of ML-1M, hidden 600, latent 200) on one thread, eager against the loss compiled, from the same seed and
batches, their steps interleaved (the machine's drift falls on both): the median step time after 10 warm steps, the
compile time, and the weight difference after the steps. Then the same comparison without randomness (the model in
evaluation mode, no dropout and z = mu): the largest difference of one batch's logits, which is what compiled kernels
change by themselves.

A compiled step slower than the eager one, or weights that differ, rules it out: the book keeps the numbers its
verdicts rest on, and a compiled model draws its dropout and reparameterisation noise from its own generator.
"""

import time

import numpy as np
import torch

from replicate import data, splits
from replicate.papers.cvae import train as train_vae
from replicate.papers.cvae.conditions import conditioned_examples, genre_conditions, one_hot, targets
from replicate.papers.cvae.model import MultVAE, vae_loss
from replicate.repro import torch_threads

STEPS, WARM, SEED = 40, 10, 1


def batches(n: int) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """The first ``n`` training batches of an extra seed's C-VAE epoch: histories, conditions and targets."""
    ds = data.load("ml-1m")
    split = splits.strong_generalization(ds, n_heldout=600, seed=SEED)
    conditions = genre_conditions(ds, split.items)
    users, conds = conditioned_examples(split.train, conditions)
    order = np.random.default_rng(SEED).permutation(len(users))
    size = train_vae.Config().batch_size
    out = []
    for b in range(n):
        index = order[b * size : (b + 1) * size]
        rows = split.train[users[index]].toarray()
        out.append(
            (
                torch.from_numpy(rows),
                torch.from_numpy(one_hot(conds[index], conditions.n)),
                torch.from_numpy(targets(rows, conds[index], conditions)),
            )
        )
    return out


def trainer(shape: tuple[int, int], compiled: bool):
    """A C-VAE from seed :data:`SEED` and ``step(x, c, t)``, one optimiser step (the loss compiled or not) that
    returns its wall seconds."""
    torch.manual_seed(SEED)
    model = MultVAE(*shape).train()
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3, foreach=True)

    def loss(x, c, t):
        logits, mu, logvar = model(x, c)
        return vae_loss(logits, t, mu, logvar, 0.1)

    step_loss = torch.compile(loss) if compiled else loss

    def step(x, c, t) -> float:
        begin = time.perf_counter()
        value = step_loss(x, c, t)
        optimiser.zero_grad()
        value.backward()
        optimiser.step()
        return time.perf_counter() - begin

    return model, step


def main():
    data_ = batches(STEPS)
    shape = (data_[0][0].shape[1], data_[0][1].shape[1])
    with torch_threads(1):
        (eager, eager_step), (compiled, compiled_step) = trainer(shape, False), trainer(shape, True)
        times = {"eager": [], "compiled": []}
        started = time.perf_counter()
        for i, batch in enumerate(data_):  # interleaved, the first of the pair alternating: the machine's drift
            pair = [("eager", eager_step), ("compiled", compiled_step)][:: 1 if i % 2 else -1]
            for name, step in pair:
                torch.manual_seed(SEED * 1_000 + i)  # the same seed for both models' draws at this step
                times[name].append(step(*batch))
        whole = time.perf_counter() - started
        eager_step, compiled_step = (float(np.median(times[k][WARM:])) for k in ("eager", "compiled"))
        with torch.no_grad():
            gap = max(
                float((a - b).abs().max()) for a, b in zip(eager.parameters(), compiled.parameters(), strict=True)
            )
            eager.eval()
            x, c, _ = data_[0]
            logits = eager(x, c)[0]
            logits_compiled = torch.compile(eager)(x, c)[0]
            output_gap = float((logits - logits_compiled).abs().max())
    print(
        f"C-VAE, {STEPS} steps of batches of {x.shape[0]} x {x.shape[1]:,} movies, one thread, eager and compiled "
        f"steps interleaved: eager {1e3 * eager_step:.1f} ms/step, compiled {1e3 * compiled_step:.1f} ms/step "
        f"(median after {WARM}; {compiled_step / eager_step:.2f}x; {whole:.0f} s for both with the compile); weights "
        f"after the steps differ by up to {gap:.1e}; without randomness one batch's logits differ by up to "
        f"{output_gap:.1e}"
    )
