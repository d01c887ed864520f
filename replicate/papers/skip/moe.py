"""Interpretable mixture of restricted experts (Afchar & Hennequin, RecSys 2020).

The input is partitioned into feature groups X_1..X_N. A set S of candidate subsets of groups is given; each subset s
has an expert F_s that sees only x|s (the groups in s) and outputs a number in [-1, 1]::

    f_s(x) = (F_s(x|s) + 1) / 2                           prediction of expert s (binary target)
    g_s(x) = |F_s(x|s)|                                   selection: how sure expert s is
    α_s(x) = g_s(x) · Π_{t ∈ child(s)} (1 − g_t(x))         residual gating, child(s) = {t ∈ S : t ⊊ s}
    f(x)   = Σ_s α_s f_s / Σ_s α_s                          the model's prediction            (slide 9, eq. 1-2)

The attribution of an input is the distribution α / Σ α over S: the share of the decision taken by each subset. A
parent subset only gets weight where its children are unsure, so the smallest sufficient subset wins (boosting).

All experts live in one network: every weight matrix is a block matrix whose block (s, t) is kept when t ⊆ s and
zeroed otherwise (:class:`MaskedLinear`), so an expert's units depend only on its own groups. A parent reads its
children's units (t ⊊ s) *without gradient*: the child blocks are used in the forward pass but the backward pass
does not flow through them into the children (the parent's own weights on them are still trained).

Training is the generalised EM of the paper (:func:`em_loss`): responsibilities r_s = Π_{t∈child(s)} (1 − F_t²),
normalised over s and held constant (E-step); one optimiser step on Σ_s r_s · BCE(y, f_s) (M-step). That is the
variant of the authors' general library (``multilayered_nn.py``); their toy notebook multiplies r_s by F_s² too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from torch import nn

from replicate.errors import ParameterError

EPS = 1e-6


# --- subsets -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Subsets:
    """The candidate subsets S over named feature groups, and the inclusion relation between them.

    ``groups``: group names in order; ``members``: one tuple of group names per subset (order of S).
    """

    groups: tuple[str, ...]
    members: tuple[tuple[str, ...], ...]

    def __post_init__(self):
        known = set(self.groups)
        if len(known) != len(self.groups):
            raise ParameterError(f"duplicate group names in {self.groups}")
        seen = set()
        for subset in self.members:
            unknown = set(subset) - known
            if unknown or not subset:
                raise ParameterError(
                    f"subset {subset} is empty or names unknown groups {sorted(unknown)}: valid groups are "
                    f"{', '.join(self.groups)}"
                )
            key = frozenset(subset)
            if key in seen:
                raise ParameterError(f"subset {sorted(key)} is listed twice")
            seen.add(key)

    @classmethod
    def of(cls, groups: Sequence[str], members: Sequence[Sequence[str]]) -> "Subsets":
        return cls(tuple(groups), tuple(tuple(g for g in groups if g in set(m)) for m in members))

    @classmethod
    def single(cls, groups: Sequence[str]) -> "Subsets":
        """One subset holding every group: the plain (non-interpretable) model."""
        return cls.of(groups, [groups])

    def __len__(self) -> int:
        return len(self.members)

    @property
    def matrix(self) -> np.ndarray:
        """Boolean (subsets x groups): group i is in subset s."""
        return np.array([[g in m for g in self.groups] for m in self.members], dtype=bool)

    @property
    def inclusion(self) -> np.ndarray:
        """Boolean (H x H): ``inclusion[s, t]`` is true when t ⊆ s (the diagonal is true)."""
        m = self.matrix
        return np.array([[bool(np.all(m[s] | ~m[t])) for t in range(len(m))] for s in range(len(m))])

    @property
    def children(self) -> np.ndarray:
        """Boolean (H x H): ``children[s, t]`` is true when t ⊊ s (strict inclusion)."""
        return self.inclusion & ~np.eye(len(self), dtype=bool)

    def label(self, s: int) -> str:
        return " + ".join(self.members[s])

    def index(self, members: Sequence[str]) -> int:
        key = frozenset(members)
        for s, m in enumerate(self.members):
            if frozenset(m) == key:
                return s
        raise ParameterError(f"no subset {sorted(key)} among {[self.label(s) for s in range(len(self))]}")


# --- masked weights ----------------------------------------------------------------------------------------------

OWN, CHILD = 1, 2  # template codes: a kept block that trains its input, a kept block read without gradient


def expert_template(subsets: Subsets) -> np.ndarray:
    """(H_in x H_out) template between expert blocks: OWN on the diagonal, CHILD where the input expert t ⊊ s."""
    inc = subsets.inclusion  # [s, t]: t ⊆ s
    out = np.where(subsets.children.T, CHILD, 0)
    out[np.diag_indices(len(subsets))] = OWN
    assert ((out > 0) == inc.T).all()
    return out


def input_template(subsets: Subsets, groups: Sequence[str]) -> np.ndarray:
    """(groups x H) template from input groups to experts: OWN where the group belongs to the subset.

    ``groups`` are the groups present in this input (a subset may hold groups that this input lacks: the right half of
    a session has no interaction features); a subset with none of them gets no input from it.
    """
    return np.array([[OWN if g in m else 0 for m in subsets.members] for g in groups], dtype=int)


def expand(template: np.ndarray, in_sizes: Sequence[int], out_sizes: Sequence[int]) -> np.ndarray:
    """Blow a (blocks_in x blocks_out) template up to a (sum(out_sizes) x sum(in_sizes)) weight mask (torch layout)."""
    rows = np.repeat(np.arange(len(out_sizes)), out_sizes)
    cols = np.repeat(np.arange(len(in_sizes)), in_sizes)
    return template[np.ix_(cols, rows)].T


class _MaskedLinearFn(torch.autograd.Function):
    """y = x Wᵀ with W already masked; the input gradient flows through OWN blocks only."""

    @staticmethod
    def forward(ctx, x, weight, grad_mask):
        ctx.save_for_backward(x, weight, grad_mask)
        return x @ weight.T

    @staticmethod
    def backward(ctx, grad_out):
        x, weight, grad_mask = ctx.saved_tensors
        grad_x = grad_out @ (weight * grad_mask) if ctx.needs_input_grad[0] else None
        grad_w = None
        if ctx.needs_input_grad[1]:
            grad_w = grad_out.reshape(-1, grad_out.shape[-1]).T @ x.reshape(-1, x.shape[-1])
        return grad_x, grad_w, None


class MaskedLinear(nn.Module):
    """A linear layer whose weight is a block matrix masked by a template (see :func:`expand`).

    Blocks marked OWN behave like an ordinary linear layer; blocks marked CHILD are used in the forward pass but no
    gradient reaches their inputs (the children's units), as a stop-gradient on the children would; zero blocks are
    absent (their weights stay zero and get zero gradient). Initialisation scales by each output unit's fan-in.
    """

    def __init__(self, template: np.ndarray, in_sizes: Sequence[int], out_sizes: Sequence[int], bias: bool = True):
        super().__init__()
        full = expand(np.asarray(template), in_sizes, out_sizes)
        self.in_features, self.out_features = int(sum(in_sizes)), int(sum(out_sizes))
        self.register_buffer("mask", torch.tensor(full > 0, dtype=torch.float32))
        self.register_buffer("grad_mask", torch.tensor(full == OWN, dtype=torch.float32))
        self.has_children = bool((full == CHILD).any())
        fan_in = self.mask.sum(dim=1, keepdim=True).clamp(min=1.0)
        bound = 1.0 / torch.sqrt(fan_in)
        self.weight = nn.Parameter((torch.rand(self.out_features, self.in_features) * 2 - 1) * bound * self.mask)
        self.bias = nn.Parameter((torch.rand(self.out_features) * 2 - 1) * bound.squeeze(1)) if bias else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        weight = self.weight * self.mask
        if self.has_children:
            y = _MaskedLinearFn.apply(x, weight, self.grad_mask)
        else:
            y = x @ weight.T
        return y + self.bias if self.bias is not None else y

    def extra_repr(self) -> str:
        kept = int(self.mask.sum().item())
        return f"{self.in_features} -> {self.out_features}, {kept} of {self.mask.numel()} weights kept"


# --- the mixture -------------------------------------------------------------------------------------------------


def selection(F: torch.Tensor, gate: str = "abs") -> torch.Tensor:
    """g_s = |F_s| (the paper) or F_s² (the authors' training variant)."""
    if gate == "abs":
        return F.abs()
    if gate == "square":
        return F * F
    raise ParameterError(f"unknown gate {gate!r}: valid choices are 'abs', 'square'")


def residual_gating(g: torch.Tensor, children: torch.Tensor) -> torch.Tensor:
    """α_s = g_s · Π_{t ∈ child(s)} (1 − g_t) over the last axis; ``children[s, t]`` true when t ⊊ s."""
    c = children.to(g.dtype)
    keep = torch.prod(1.0 - g.unsqueeze(-2) * c, dim=-1)  # (..., H): Π_t (1 - c[s,t] g_t)
    return g * keep


def mixture(F: torch.Tensor, children: torch.Tensor, gate: str = "abs") -> tuple[torch.Tensor, torch.Tensor]:
    """The model's output f = Σ α f_s / Σ α in [0, 1] and the unnormalised α, from the experts' F (..., H).

    Where every expert abstains (Σ α = 0) the output is 1/2.
    """
    alpha = residual_gating(selection(F, gate), children)
    f = (F + 1.0) / 2.0
    total = alpha.sum(dim=-1)
    out = ((alpha * f).sum(dim=-1) + 0.5 * 1e-9) / (total + 1e-9)
    return out, alpha


def attribution(alpha: torch.Tensor) -> torch.Tensor:
    """α normalised to a distribution over S (uniform where every expert abstains)."""
    total = alpha.sum(dim=-1, keepdim=True)
    uniform = torch.full_like(alpha, 1.0 / alpha.shape[-1])
    return torch.where(total > 0, alpha / total.clamp(min=1e-30), uniform)


def responsibilities(F: torch.Tensor, children: torch.Tensor) -> torch.Tensor:
    """E-step: r_s = Π_{t ∈ child(s)} (1 − F_t²), normalised over s, detached (held fixed for the M-step)."""
    with torch.no_grad():
        keep = torch.prod(1.0 - (F * F).unsqueeze(-2) * children.to(F.dtype), dim=-1)
        return keep / keep.sum(dim=-1, keepdim=True).clamp(min=1e-12)


def em_loss(
    F: torch.Tensor, y: torch.Tensor, children: torch.Tensor, weight: torch.Tensor | None = None
) -> torch.Tensor:
    """M-step objective: mean over points of Σ_s r_s · BCE(y, f_s), with r from :func:`responsibilities`.

    ``F``: (..., H) experts' outputs; ``y``: (...) targets in {0, 1}; ``weight``: (...) 1 for points that count
    (padding 0). With a single expert this is the ordinary binary cross-entropy of f = (F + 1) / 2.
    """
    r = responsibilities(F, children)
    f = ((F + 1.0) / 2.0).clamp(EPS, 1 - EPS)
    y = y.unsqueeze(-1).to(F.dtype)
    bce = -(y * torch.log(f) + (1 - y) * torch.log(1 - f))
    per_point = (r * bce).sum(dim=-1)
    if weight is None:
        return per_point.mean()
    weight = weight.to(F.dtype)
    return (per_point * weight).sum() / weight.sum().clamp(min=1.0)


def sequential_loss(F: torch.Tensor, y: torch.Tensor, children: torch.Tensor, active: torch.Tensor) -> torch.Tensor:
    """The naive alternative to EM that the slides contrast it with (slide 13, "train sequentially with residuals"):
    one stage per level of the subset lattice, smallest subsets first. In a stage only the ``active`` experts (a
    boolean over S) learn, each on its binary cross-entropy weighted by the residual Π_{t ∈ child(s)} (1 − F_t²) of
    its children, which were trained in earlier stages and are held fixed (no normalisation over s: each active expert
    fits where its children are unsure)."""
    with torch.no_grad():
        weight = torch.prod(1.0 - (F * F).unsqueeze(-2) * children.to(F.dtype), dim=-1)
    f = ((F + 1.0) / 2.0).clamp(EPS, 1 - EPS)
    y = y.unsqueeze(-1).to(F.dtype)
    bce = -(y * torch.log(f) + (1 - y) * torch.log(1 - f))
    return (weight * bce)[..., active].sum(dim=-1).mean()


def joint_loss(F: torch.Tensor, y: torch.Tensor, children: torch.Tensor, gate: str = "abs") -> torch.Tensor:
    """Joint training without EM (a null of slide 13's "fast algorithm"): every expert at once, on the binary
    cross-entropy of the mixture's own prediction f = Σ α f_s / Σ α (:func:`mixture`), with no responsibilities:
    the gradient flows through the gates as through the experts' predictions."""
    out, _ = mixture(F, children, gate)
    out = out.clamp(EPS, 1 - EPS)
    y = y.to(F.dtype)
    return -(y * torch.log(out) + (1 - y) * torch.log(1 - out)).mean()


# --- a feed-forward interpretable network -----------------------------------------------------------------------


GATINGS = ("residual", "none")


class AttributionMoE(nn.Module):
    """Interpretable feed-forward network: one expert MLP per subset, all in masked weight matrices.

    ``group_sizes``: number of input columns per group (in order of ``subsets.groups``; the input's columns are the
    groups side by side). Each expert has ``hidden`` units per layer and a tanh head giving F_s. ``forward`` returns
    F (batch, H); :func:`mixture` turns it into the prediction and α.

    Reference: afchar2020
    """

    def __init__(
        self,
        subsets: Subsets,
        group_sizes: Sequence[int],
        hidden: Sequence[int] = (16, 8),
        activation: str = "relu",
        gate: str = "abs",
        gating: str = "residual",
    ):
        super().__init__()
        if len(group_sizes) != len(subsets.groups):
            raise ParameterError(f"{len(group_sizes)} group sizes for {len(subsets.groups)} groups")
        if gating not in GATINGS:
            raise ParameterError(f"unknown gating {gating!r}: valid choices are {', '.join(GATINGS)}")
        self.subsets, self.gate, self.gating = subsets, gate, gating
        H = len(subsets)
        # "none": the same network mixed by α_s = g_s alone (no residual product), for the ablation of the gating
        children = subsets.children if gating == "residual" else np.zeros_like(subsets.children)
        self.register_buffer("child_mask", torch.tensor(children))
        acts = {"relu": nn.ReLU, "tanh": nn.Tanh, "leaky_relu": nn.LeakyReLU}
        if activation not in acts:
            raise ParameterError(f"unknown activation {activation!r}: valid choices are {', '.join(acts)}")
        layers: list[nn.Module] = []
        template, in_sizes = input_template(subsets, subsets.groups), list(group_sizes)
        for width in hidden:
            layers += [MaskedLinear(template, in_sizes, [width] * H), acts[activation]()]
            template, in_sizes = expert_template(subsets), [width] * H
        layers.append(MaskedLinear(template, in_sizes, [1] * H))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.tanh(self.net(x))

    def predict(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(prediction in [0, 1], attribution over S) for a batch."""
        out, alpha = mixture(self(x), self.child_mask, self.gate)
        return out, attribution(alpha)

    def loss(self, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        return em_loss(self(x), y, self.child_mask)

    @property
    def levels(self) -> list[np.ndarray]:
        """Boolean masks over S, one per subset size, smallest first: the stages of :func:`sequential_loss`."""
        size = self.subsets.matrix.sum(axis=1)
        return [size == k for k in np.unique(size)]
