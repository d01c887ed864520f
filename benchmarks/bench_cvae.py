"""C-VAE on ML-1M: one training epoch of C-VAE and of Mult-VAE, measured in one run.

Target (issue): one C-VAE epoch on ML-1M under 60 s on two cores. The conditioned examples are (user, genre) index
pairs and each batch is built from the sparse history when drawn; the script also prints what materialising the
conditioned training set would hold instead.
"""

import time

import torch

from replicate import data, seed_everything, splits
from replicate.papers.cvae import train as train_vae
from replicate.papers.cvae.conditions import conditioned_examples, genre_conditions
from replicate.papers.cvae.model import MultVAE

TARGET_SECONDS = 60.0


def main():
    seed_everything(0)
    ds = data.load("ml-1m")
    split = splits.strong_generalization(ds, n_heldout=600, seed=0)
    conditions = genre_conditions(ds, split.items)
    users, _ = conditioned_examples(split.train, conditions)
    config = train_vae.TrainConfig(epochs=1, patience=1)
    timings = {}
    for name, n_conditions in (("Mult-VAE", 0), ("C-VAE", conditions.n)):
        model = MultVAE(split.n_items, n_conditions)
        start = time.perf_counter()
        history = train_vae.train(
            model,
            split.train,
            split.valid_in,
            split.valid_out,
            config,
            conditions if n_conditions else None,
            progress=False,
        )
        timings[name] = (history.seconds[0], time.perf_counter() - start)
    examples = len(users)
    epoch = timings["C-VAE"][0]
    print(
        f"threads: {torch.get_num_threads()}; ML-1M split: {split.train.shape[0]:,} training users, "
        f"{split.n_items:,} items, {conditions.n} genres -> {examples:,} C-VAE examples per epoch"
    )
    for name, (seconds, _) in timings.items():
        print(f"{name}: {seconds:.1f} s per epoch (incl. validation)")
    print(
        f"C-VAE: {examples / epoch:,.0f} examples/s; epoch / target ({TARGET_SECONDS:.0f} s) = "
        f"{epoch / TARGET_SECONDS:.2f}; C-VAE / Mult-VAE epoch = {epoch / timings['Mult-VAE'][0]:.1f}x"
    )
    dense_bytes = examples * split.n_items * 4 * 2
    pair_bytes = examples * 16 + split.train.data.nbytes + split.train.indices.nbytes + split.train.indptr.nbytes
    print(
        f"conditioned training set: {pair_bytes / 2**20:.1f} MiB as index pairs + sparse history, "
        f"{dense_bytes / 2**30:.1f} GiB if inputs and targets were materialised densely "
        f"(ratio {dense_bytes / pair_bytes:,.0f}x)"
    )
