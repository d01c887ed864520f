"""Skip prediction: training throughput of the plain and the interpretable transformer, measured in one run.

Both models get the `paper` profile's sizes (plain: width 64, 4 heads; interpretable: 9 experts of 12 units, 2 heads
each; 2 encoder + 2 decoder blocks), the same 2,400 generated sessions, batches of 256 and one intra-op thread (the
chapter's setting). One warm-up batch, then one timed epoch each; the interpretable model's masked matrices are
dense (9 x 12 = 108 units wide), so it is expected to be a few times slower per session.
"""

import torch

from replicate import seed_everything
from replicate.papers.skip import sources, train

SETTINGS = train.ModelSettings(d_model=64, d_expert=12, heads=4, expert_heads=2, layers=2)


def main():
    seed_everything(0)
    train_, valid, _ = sources.synthetic_sessions(3000, seed=0)
    config = train.TrainConfig(epochs=1, batch_size=256, lr=3e-3, progress=False)
    rates = {}
    with train.threads(config.threads):
        for kind in train.KINDS:
            seed_everything(0)
            model = train.build(
                kind,
                train_,
                d_model=SETTINGS.d_model,
                d_expert=SETTINGS.d_expert,
                heads=SETTINGS.heads,
                expert_heads=SETTINGS.expert_heads,
                layers=SETTINGS.layers,
            )
            warm = train_.take(range(256))
            train.fit(model, warm, valid.take(range(8)), config)  # warm-up: allocations, first-call overheads
            history = train.fit(model, train_, valid, config)
            rates[kind] = history.throughput
            print(
                f"{train.MODEL_NAMES[kind]}: {model.n_parameters():,} parameters, {model.n_experts} expert(s), "
                f"{history.throughput:,.0f} training sessions/s ({history.seconds[0]:.1f} s for {len(train_):,})"
            )
    print(
        f"threads: {torch.get_num_threads()} (training used {config.threads}); "
        f"interpretable / plain time per session = {rates['plain'] / rates['interpretable']:.1f}x"
    )
