"""Training and evaluation: the toy problems (feed-forward experts) and skip prediction (transformers).

Both models are trained with the same loop: the interpretable one with the generalised EM objective
(:func:`~replicate.papers.skip.moe.em_loss`), the plain one with the same function over its single expert,
which is the ordinary binary cross-entropy. Adam, gradient clipping at norm 1, batches drawn from a seeded
permutation; the epoch with the best validation accuracy is kept (as the authors' checkpoint on validation).
"""

from __future__ import annotations

import copy
import time
from dataclasses import dataclass, field

import numpy as np
import torch
from tqdm.auto import tqdm

from replicate.errors import ParameterError
from replicate.papers.skip import metrics
from replicate.papers.skip.moe import AttributionMoE, Subsets
from replicate.papers.skip.tensors import SessionTensors
from replicate.papers.skip.toys import Toy
from replicate.papers.skip.transformer import SkipTransformer
from replicate.repro import torch_threads

# The authors' subsets for the Spotify model (run_spotify.py: S_left), every one holding the position group, plus the
# position group alone (ours: it lets the attribution name "position" when nothing else decides).
SKIP_SUBSETS = (
    ("position",),
    ("position", "context"),
    ("position", "interaction"),
    ("position", "general"),
    ("position", "content"),
    ("position", "context", "interaction"),
    ("position", "general", "content"),
    ("position", "context", "interaction", "general"),
    ("position", "context", "interaction", "general", "content"),
)
KINDS = ("plain", "interpretable")


@dataclass
class Config:
    """How both transformers are trained (the same for the plain and the interpretable one)."""

    epochs: int = 10
    batch_size: int = 256
    lr: float = 1e-3
    seed: int = 0
    device: str = "cpu"
    clip: float = 1.0
    progress: bool = True
    threads: int = 1  # intra-op threads: one is fastest for these small matrices on a shared two-core machine


TrainConfig = Config  # the former name


@dataclass
class History:
    name: str
    loss: list = field(default_factory=list)
    valid_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)
    sessions: int = 0
    best_epoch: int = -1

    @property
    def throughput(self) -> float:
        """Training sessions per second, over all epochs (validation excluded)."""
        return self.sessions * len(self.seconds) / max(sum(self.seconds), 1e-9)


@dataclass
class Predictions:
    """Per second-half slot: skip probability, experts' F (…, H) and the attribution over the subsets (…, H)."""

    prob: np.ndarray
    F: np.ndarray
    attribution: np.ndarray

    @property
    def binary(self) -> np.ndarray:
        return self.prob > 0.5


def build(
    kind: str,
    sessions: SessionTensors,
    d_model: int = 64,
    d_expert: int = 16,
    heads: int = 4,
    expert_heads: int = 2,
    layers: int = 2,
    dropout: float = 0.0,
    subsets=SKIP_SUBSETS,
) -> SkipTransformer:
    """The plain transformer (one expert of width ``d_model``) or the interpretable one (one expert of width
    ``d_expert`` per subset), with ``layers`` encoder and ``layers`` decoder blocks."""
    if kind not in KINDS:
        raise ParameterError(f"unknown model kind {kind!r}: valid kinds are {', '.join(KINDS)}")
    groups = sessions.groups
    if kind == "plain":
        spec, d, h = Subsets.single(groups), d_model, heads
    else:
        spec, d, h = Subsets.of(groups, [m for m in subsets if set(m) <= set(groups)]), d_expert, expert_heads
    return SkipTransformer(
        spec,
        sessions.left_groups,
        sessions.right_groups,
        d_expert=d,
        heads=h,
        encoder_layers=layers,
        decoder_layers=layers,
        dropout=dropout,
    )


def _tensors(sessions: SessionTensors, device) -> tuple[torch.Tensor, ...]:
    return tuple(
        torch.as_tensor(a, device=device)
        for a in (sessions.left, sessions.right, sessions.left_mask, sessions.right_mask, sessions.y)
    )


def predict(model: SkipTransformer, sessions: SessionTensors, batch_size: int = 1024, device="cpu") -> Predictions:
    model.eval().to(device)
    left, right, lm, rm, _ = _tensors(sessions, device)
    probs, Fs, attrs = [], [], []
    with torch.no_grad():
        for start in range(0, len(sessions), batch_size):
            sl = slice(start, start + batch_size)
            F = model(left[sl], right[sl], lm[sl], rm[sl])
            prob, attr = model.predict(F)
            probs.append(prob.cpu().numpy()), Fs.append(F.cpu().numpy()), attrs.append(attr.cpu().numpy())
    empty = np.zeros((0, sessions.y.shape[1]), np.float32)
    cat = lambda xs, e: np.concatenate(xs) if xs else e  # noqa: E731
    H = model.n_experts
    return Predictions(cat(probs, empty), cat(Fs, np.zeros((0, 10, H))), cat(attrs, np.zeros((0, 10, H))))


def evaluate(pred, sessions: SessionTensors) -> dict[str, float]:
    """Acc, Acc@1 and MAA of binary predictions (or of :class:`Predictions`) on the sessions' second halves."""
    binary = pred.binary if isinstance(pred, Predictions) else np.asarray(pred)
    return metrics.skip_metrics(binary, sessions.y > 0.5, sessions.right_mask)


def train(
    model: SkipTransformer, train: SessionTensors, valid: SessionTensors, config: Config, name: str = ""
) -> History:
    """Train ``model`` on ``train``; keep the epoch with the best validation accuracy."""
    device = config.device
    model.to(device)
    generator = torch.Generator().manual_seed(config.seed)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    left, right, lm, rm, y = _tensors(train, device)
    history = History(name or ("interpretable" if model.n_experts > 1 else "plain"), sessions=len(train))
    best, best_state = -1.0, None
    for epoch in range(config.epochs):
        model.train(True)
        order = torch.randperm(len(train), generator=generator).to(device)
        batches = range(0, len(train), config.batch_size)
        start, total, count = time.perf_counter(), 0.0, 0
        for b in tqdm(
            batches,
            desc=f"{history.name} epoch {epoch + 1}/{config.epochs}",
            leave=False,
            disable=not config.progress,
            mininterval=2,
        ):
            idx = order[b : b + config.batch_size]
            F = model(left[idx], right[idx], lm[idx], rm[idx])
            loss = model.loss(F, y[idx], rm[idx])
            optimiser.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), config.clip)
            optimiser.step()
            total, count = total + loss.item() * len(idx), count + len(idx)
        history.seconds.append(time.perf_counter() - start)
        history.loss.append(total / max(count, 1))
        acc = evaluate(predict(model, valid, device=device), valid)["Acc"]
        history.valid_acc.append(acc)
        if acc > best:
            best, best_state, history.best_epoch = acc, copy.deepcopy(model.state_dict()), epoch
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


fit = train  # the former name


# --- toy problems ------------------------------------------------------------------------------------------------


@dataclass
class ToyResult:
    toy: Toy
    model: AttributionMoE
    loss: list
    X: np.ndarray
    y: np.ndarray
    source: np.ndarray
    prob: np.ndarray
    attribution: np.ndarray
    algorithm: str = "em"
    seconds: float = 0.0  # wall time of the training steps (evaluations excluded)
    curve: list = field(default_factory=list)  # (steps done, accuracy on the held-out check points) during training

    @property
    def accuracy(self) -> float:
        return float(((self.prob > 0.5) == (self.y > 0.5)).mean())

    @property
    def correct(self) -> np.ndarray:
        return (self.prob > 0.5) == (self.y > 0.5)

    def steps_to(self, accuracy: float) -> float:
        """Training steps until the held-out accuracy first reached ``accuracy`` (inf when it never did)."""
        return next((float(step) for step, acc in self.curve if acc >= accuracy), float("inf"))

    def seconds_to(self, accuracy: float) -> float:
        """Wall seconds of training until ``accuracy`` (steps to it times the mean time per step)."""
        steps = len(self.loss)
        return self.steps_to(accuracy) * self.seconds / steps if steps else float("inf")


ALGORITHMS = ("em", "sequential", "joint")


def plateaued(window_losses: list, tol: float) -> bool:
    """True when the last window's mean training loss fell by less than ``tol`` (a fraction) below the lowest of the
    earlier windows of the same stage: the stage has converged (needs two windows)."""
    if len(window_losses) < 2:
        return False
    return window_losses[-1] > (1.0 - tol) * min(window_losses[:-1])


def fit_toy(
    toy: Toy,
    steps: int,
    seed: int = 0,
    batch_size: int = 256,
    lr: float = 1e-3,
    n_test: int = 4096,
    progress: bool = True,
    algorithm: str = "em",
    gating: str = "residual",
    shuffle_labels: bool = False,
    eval_every: int | None = None,
    device: str = "cpu",
    stop_at: float | None = None,
    stage_tol: float | None = None,
) -> ToyResult:
    """Train the three-expert network on fresh samples each step (as the authors' generator), then predict
    ``n_test`` new points.

    ``algorithm``: ``"em"``, the generalised EM (all experts at once, ``steps`` steps), or ``"sequential"``, the naive
    residual training (:func:`~replicate.papers.skip.moe.sequential_loss`: one stage of ``steps`` steps per level of
    the subsets, smallest first). ``gating="none"`` mixes the experts without the residual product (the ablation of
    E[Card(S)]). ``shuffle_labels`` permutes each batch's labels (a null model: nothing to learn). With
    ``eval_every``, the accuracy on ``n_test`` held-out check points is recorded every so many steps (``curve``).
    ``device``: where the network and its batches live (samples are drawn on the CPU by NumPy, as on every device).
    ``stop_at``: stop training once the recorded held-out accuracy reaches it (a null that only needs its steps to a
    target); the test points are then drawn after fewer steps. ``"joint"`` trains all experts at once on the mixture's
    own binary cross-entropy, without EM's responsibilities (:func:`~replicate.papers.skip.moe.joint_loss`).
    ``stage_tol`` (sequential, with ``eval_every``): every stage but the last ends early once its mean training loss
    over an evaluation window has :func:`plateaued` (fallen by less than ``stage_tol`` of its best), as a sequential
    training run to convergence stage by stage would; the last stage keeps its ``steps``.
    """
    from replicate.papers.skip.moe import joint_loss, sequential_loss

    if algorithm not in ALGORITHMS:
        raise ParameterError(f"unknown algorithm {algorithm!r}: valid choices are {', '.join(ALGORITHMS)}")
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    model = AttributionMoE(toy.subsets, toy.group_sizes, hidden=(toy.hidden, toy.hidden), gating=gating).to(device)
    check_X, check_y, _ = toy.sample(min(n_test, 2048), np.random.default_rng(seed + 10_000))
    stages = model.levels if algorithm == "sequential" else [None]
    losses, curve, seconds, done = [], [], 0.0, 0
    reached = False
    with torch_threads(1):
        for stage, active in enumerate(stages):
            if reached:
                break
            optimiser = torch.optim.Adam(model.parameters(), lr=lr)
            windows, window = [], []
            early = stage_tol is not None and stage < len(stages) - 1
            mask = None if active is None else torch.as_tensor(active, device=device)
            for _ in tqdm(
                range(steps), desc=f"{toy.name} ({algorithm})", leave=False, disable=not progress, mininterval=2
            ):
                start = time.perf_counter()
                model.train()
                X, y, _ = toy.sample(batch_size, rng)
                if shuffle_labels:
                    y = rng.permutation(y)
                X, y = torch.from_numpy(X).to(device), torch.from_numpy(y).to(device)
                if algorithm == "joint":
                    loss = joint_loss(model(X), y, model.child_mask, model.gate)
                elif mask is None:
                    loss = model.loss(X, y)
                else:
                    loss = sequential_loss(model(X), y, model.child_mask, mask)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                losses.append(loss.item())
                window.append(losses[-1])
                seconds += time.perf_counter() - start
                done += 1
                if eval_every and done % eval_every == 0:
                    prob, _ = predict_toy(model, check_X)
                    curve.append((done, float(((prob > 0.5) == (check_y > 0.5)).mean())))
                    if stop_at is not None and curve[-1][1] >= stop_at:
                        reached = True
                        break
                    windows.append(float(np.mean(window)))
                    window = []
                    if early and plateaued(windows, stage_tol):
                        break
    X, y, source = toy.sample(n_test, rng)
    prob, attr = predict_toy(model, X)
    return ToyResult(toy, model, losses, X, y, source, prob, attr, algorithm, seconds, curve)


def predict_toy(model: AttributionMoE, X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The network's probabilities and attributions for the points ``X``, computed where the network lives."""
    model.eval()
    device = next(model.parameters()).device
    with torch.no_grad():
        prob, attr = model.predict(torch.as_tensor(X, dtype=torch.float32, device=device))
    return prob.cpu().numpy(), attr.cpu().numpy()


# --- one source, three models ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelSettings:
    """Sizes of the two transformers: the plain one is ``d_model`` wide with ``heads`` heads; the interpretable one
    has one ``d_expert``-wide block with ``expert_heads`` heads per subset; both have ``layers`` encoder and
    ``layers`` decoder blocks."""

    d_model: int = 64
    d_expert: int = 12
    heads: int = 4
    expert_heads: int = 2
    layers: int = 2


MODEL_NAMES = {"baseline": "Baseline (last skip)", "plain": "Transformer", "interpretable": "Interpretable Transformer"}


@dataclass
class Comparison:
    """The baseline and both transformers trained on one source and scored on its test sessions."""

    name: str
    train: SessionTensors
    valid: SessionTensors
    test: SessionTensors
    models: dict
    histories: dict
    predictions: dict
    scores: dict  # model -> {"Acc", "Acc@1", "MAA"} as fractions

    def table(self):
        """Acc, Acc@1 and MAA in %, one row per model (the layout of slide 14)."""
        import pandas as pd

        return pd.DataFrame({MODEL_NAMES[k]: {m: 100 * v for m, v in s.items()} for k, s in self.scores.items()}).T

    def gap(self) -> dict:
        """Plain minus interpretable, in points, per metric."""
        return {m: 100 * (self.scores["plain"][m] - self.scores["interpretable"][m]) for m in self.scores["plain"]}

    def beats_baseline(self) -> bool:
        return all(
            self.scores[k][m] > self.scores["baseline"][m]
            for k in ("plain", "interpretable")
            for m in self.scores["baseline"]
        )


def compare(
    name: str,
    parts: tuple,
    settings: ModelSettings,
    config: Config,
    subsets=SKIP_SUBSETS,
    kinds=KINDS,
    untrained=(),
) -> Comparison:
    """Train the plain and the interpretable transformer with the same data, epochs, batches and optimiser; score
    them and the baseline on the test part. ``subsets``: the interpretable model's candidates (an ablation drops
    one); ``kinds``: which models to build; ``untrained``: kinds left at their initial weights (null models)."""
    from replicate import seed_everything
    from replicate.papers.skip import baseline

    train_, valid, test = parts
    models, histories, predictions = {}, {}, {}
    predictions["baseline"] = baseline.last_skip(test)
    scores = {"baseline": evaluate(predictions["baseline"], test)}
    for kind in kinds:
        seed_everything(config.seed)
        model = build(
            kind,
            train_,
            d_model=settings.d_model,
            d_expert=settings.d_expert,
            heads=settings.heads,
            expert_heads=settings.expert_heads,
            layers=settings.layers,
            subsets=subsets,
        )
        with torch_threads(config.threads):
            if kind in untrained:
                histories[kind] = History(MODEL_NAMES[kind], sessions=len(train_))
            else:
                histories[kind] = train(model, train_, valid, config, name=MODEL_NAMES[kind])
            predictions[kind] = predict(model, test, device=config.device)
        models[kind] = model.cpu()
        scores[kind] = evaluate(predictions[kind], test)
    return Comparison(name, train_, valid, test, models, histories, predictions, scores)
