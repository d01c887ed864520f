"""Transformer encoder-decoder for sequential skip prediction, plain or made interpretable by masked weights.

The first half of a session (its logs and tracks) is encoded; the decoder reads the second half's tracks and
positions and attends to the encoded first half; a tanh head gives F per second-half track::

    memory = Encoder(x_left)                    self-attention blocks over the first half
    h      = Decoder(x_right, memory)           self-attention over the second half, cross-attention to memory
    F      = tanh(W h)                          one output per expert (one expert for the plain model)

Each block is post-norm: ``x = LN(x + Attention(x))``, ``x = LN(x + FFN(x))`` (the decoder adds a cross-attention
sub-block). The *interpretable* transformer is the same code with H experts (Afchar & Hennequin 2020, §4): every
hidden vector is H blocks of ``d_expert`` units, one per subset s of feature groups; every weight matrix is masked so
that block s reads only the input groups in s and the blocks of its children t ⊊ s (read without gradient, see
:class:`~replicate.papers.skip.moe.MaskedLinear`); each attention head lies inside one block; layer norm and
residual connections act per block. Expert s therefore sees x|s at every position of both halves (the second half
has only the position, general and content groups; a subset's right-hand input is its intersection with those) and
its output F_s enters the mixture f = Σ α_s f_s / Σ α_s of :mod:`replicate.papers.skip.moe`. The plain
transformer is one subset holding every group.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import torch
import torch.nn.functional as nnf
from torch import nn

from replicate.errors import ParameterError
from replicate.papers.skip.moe import (
    OWN,
    MaskedLinear,
    Subsets,
    attribution,
    em_loss,
    expert_template,
    input_template,
    mixture,
)


class ExpertLayerNorm(nn.Module):
    """Layer normalisation of each expert block on its own (H blocks of d units)."""

    def __init__(self, n_experts: int, d: int):
        super().__init__()
        self.shape = (n_experts, d)
        self.weight = nn.Parameter(torch.ones(n_experts, d))
        self.bias = nn.Parameter(torch.zeros(n_experts, d))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        z = x.view(*x.shape[:-1], *self.shape)
        z = nnf.layer_norm(z, (self.shape[1],)) * self.weight + self.bias
        return z.reshape(x.shape)


class ExpertAttention(nn.Module):
    """Multi-head attention with ``heads`` heads inside each expert block; Q, K, V read the block and its children."""

    def __init__(self, subsets: Subsets, d: int, heads: int):
        super().__init__()
        if d % heads:
            raise ParameterError(f"d_expert={d} is not a multiple of heads={heads}")
        H = len(subsets)
        tr, diag = expert_template(subsets), np.diag([OWN] * H)
        self.q, self.k, self.v = (MaskedLinear(tr, [d] * H, [d] * H, bias=False) for _ in range(3))
        self.out = MaskedLinear(diag, [d] * H, [d] * H)
        self.n_heads, self.d_head = H * heads, d // heads

    def forward(self, x: torch.Tensor, memory: torch.Tensor, key_mask: torch.Tensor) -> torch.Tensor:
        B, T, _ = x.shape
        S = memory.shape[1]
        q = self.q(x).view(B, T, self.n_heads, self.d_head).transpose(1, 2)
        k = self.k(memory).view(B, S, self.n_heads, self.d_head).transpose(1, 2)
        v = self.v(memory).view(B, S, self.n_heads, self.d_head).transpose(1, 2)
        scores = (q @ k.transpose(-1, -2)) * self.d_head**-0.5  # sessions are short: plain matmuls beat fused kernels
        scores = scores.masked_fill(~key_mask[:, None, None, :], float("-inf"))
        z = torch.softmax(scores, dim=-1) @ v
        return self.out(z.transpose(1, 2).reshape(B, T, -1))


class ExpertFFN(nn.Module):
    def __init__(self, subsets: Subsets, d: int, mult: int):
        super().__init__()
        H = len(subsets)
        self.inner = MaskedLinear(expert_template(subsets), [d] * H, [mult * d] * H)
        self.outer = MaskedLinear(np.diag([OWN] * H), [mult * d] * H, [d] * H)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.outer(nnf.leaky_relu(self.inner(x), 0.1))


class EncoderBlock(nn.Module):
    def __init__(self, subsets: Subsets, d: int, heads: int, mult: int, dropout: float):
        super().__init__()
        H = len(subsets)
        self.attn, self.ffn = ExpertAttention(subsets, d, heads), ExpertFFN(subsets, d, mult)
        self.norm1, self.norm2 = ExpertLayerNorm(H, d), ExpertLayerNorm(H, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x, mask):
        x = self.norm1(x + self.drop(self.attn(x, x, mask)))
        return self.norm2(x + self.drop(self.ffn(x)))


class DecoderBlock(nn.Module):
    def __init__(self, subsets: Subsets, d: int, heads: int, mult: int, dropout: float):
        super().__init__()
        H = len(subsets)
        self.self_attn, self.cross = ExpertAttention(subsets, d, heads), ExpertAttention(subsets, d, heads)
        self.ffn = ExpertFFN(subsets, d, mult)
        self.norm1, self.norm2, self.norm3 = (ExpertLayerNorm(H, d) for _ in range(3))
        self.drop = nn.Dropout(dropout)

    def forward(self, x, x_mask, memory, memory_mask):
        x = self.norm1(x + self.drop(self.self_attn(x, x, x_mask)))
        x = self.norm2(x + self.drop(self.cross(x, memory, memory_mask)))
        return self.norm3(x + self.drop(self.ffn(x)))


class SkipTransformer(nn.Module):
    """Encoder-decoder over (first half, second half) of sessions; plain when ``subsets`` has one subset.

    Reference: afchar2020

    ``left_groups`` / ``right_groups``: (name, number of columns) of the feature groups of each half, in column
    order. ``subsets``: the candidate subsets over the left groups' names (every right group must be a left group).
    ``forward(left, right, left_mask, right_mask)`` returns F (batch, second-half slots, H).
    """

    def __init__(
        self,
        subsets: Subsets,
        left_groups: Sequence[tuple[str, int]],
        right_groups: Sequence[tuple[str, int]],
        d_expert: int = 16,
        heads: int = 2,
        encoder_layers: int = 2,
        decoder_layers: int = 2,
        ffn_mult: int = 2,
        dropout: float = 0.0,
        gate: str = "abs",
    ):
        super().__init__()
        left_names = [g for g, _ in left_groups]
        if tuple(left_names) != subsets.groups:
            raise ParameterError(f"subsets are over groups {subsets.groups}, the first half has {tuple(left_names)}")
        unknown = [g for g, _ in right_groups if g not in left_names]
        if unknown:
            raise ParameterError(f"second-half groups {unknown} are not first-half groups {left_names}")
        H = len(subsets)
        self.subsets, self.gate, self.d_expert = subsets, gate, d_expert
        self.register_buffer("child_mask", torch.tensor(subsets.children))
        self.left_in = MaskedLinear(input_template(subsets, left_names), [n for _, n in left_groups], [d_expert] * H)
        self.right_in = MaskedLinear(
            input_template(subsets, [g for g, _ in right_groups]), [n for _, n in right_groups], [d_expert] * H
        )
        self.encoder = nn.ModuleList(
            EncoderBlock(subsets, d_expert, heads, ffn_mult, dropout) for _ in range(encoder_layers)
        )
        self.decoder = nn.ModuleList(
            DecoderBlock(subsets, d_expert, heads, ffn_mult, dropout) for _ in range(decoder_layers)
        )
        self.head = MaskedLinear(expert_template(subsets), [d_expert] * H, [1] * H)

    @property
    def n_experts(self) -> int:
        return len(self.subsets)

    def n_parameters(self) -> int:
        """Trainable weights that are not masked out."""
        total = 0
        for module in self.modules():
            if isinstance(module, MaskedLinear):
                total += int(module.mask.sum().item()) + (module.bias.numel() if module.bias is not None else 0)
            elif isinstance(module, ExpertLayerNorm):
                total += module.weight.numel() + module.bias.numel()
        return total

    def forward(self, left, right, left_mask, right_mask) -> torch.Tensor:
        memory = self.left_in(left)
        for block in self.encoder:
            memory = block(memory, left_mask)
        x = self.right_in(right)
        for block in self.decoder:
            x = block(x, right_mask, memory, left_mask)
        return torch.tanh(self.head(x))

    def loss(self, F: torch.Tensor, y: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """The M-step objective (binary cross-entropy for the plain model) over the second-half tracks."""
        return em_loss(F, y, self.child_mask, mask)

    def predict(self, F: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """(skip probability, attribution over the subsets) from the experts' outputs."""
        out, alpha = mixture(F, self.child_mask, self.gate)
        return out, attribution(alpha)
