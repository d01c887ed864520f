r"""Mult-VAE (Liang et al. 2018) and its conditioned variant C-VAE (Carraro, Polato, Aiolli 2020).

For a user with binary history :math:`r_u \in \{0,1\}^m` and, for C-VAE, a one-hot condition
:math:`c \in \{0,1\}^C` (all zeros: no condition),

.. math::

    x &= \operatorname{dropout}_{0.5}(r_u / \lVert r_u \rVert_2) \\
    h &= \tanh(W_1 [x; c] + b_1), \quad \mu = W_\mu h + b_\mu, \quad \log\sigma^2 = W_\sigma h + b_\sigma \\
    z &= \mu + \epsilon \odot \sigma \ (\text{training}), \qquad z = \mu \ (\text{evaluation}) \\
    \pi(z) &= \operatorname{softmax}(W_3 \tanh(W_2 z + b_2) + b_3)

with the architecture [m + C → 600 → 200 → 600 → m]. The loss of one example with target :math:`t` is

.. math::

    \mathcal{L} = -\sum_i t_i \log \pi_i(z) + \beta \cdot
        \tfrac{1}{2} \sum_j \left(\mu_j^2 + \sigma_j^2 - \log \sigma_j^2 - 1\right)

where :math:`t = r_u` for Mult-VAE and, for C-VAE, :math:`t_i = r_{ui}` if item i satisfies the condition and 0
otherwise (the reconstruction must demote the items outside the condition). Weights are Xavier-initialised and biases
drawn from a normal truncated at two standard deviations with std :math:`10^{-3}`, as the paper says (the authors'
library uses std 1.0).
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn


def _init(layer: nn.Linear, bias_std: float) -> nn.Linear:
    nn.init.xavier_uniform_(layer.weight)
    nn.init.trunc_normal_(layer.bias, mean=0.0, std=bias_std, a=-2 * bias_std, b=2 * bias_std)
    return layer


def input_dropout(x: torch.Tensor, p: float, training: bool) -> torch.Tensor:
    """Dropout on the non-zero entries of a sparse-valued input (zeros stay zero either way).

    Equal in distribution to ``F.dropout(x, p)`` but draws one random number per non-zero instead of one per entry,
    which on a history matrix with 3 % non-zeros is most of an epoch's time saved.
    """
    if not training or p == 0:
        return x
    rows, cols = x.nonzero(as_tuple=True)
    keep = (torch.rand(rows.shape[0], device=x.device) >= p).to(x.dtype) / (1 - p)
    out = torch.zeros_like(x)
    out[rows, cols] = x[rows, cols] * keep
    return out


class FirstLayer(nn.Module):
    r"""The encoder's first affine map :math:`W [x; c] + b = W_x x + W_c c + b`, with :math:`W = [W_x, W_c]` kept as
    two parameters: ``w_items_t`` is :math:`W_x^T` (one row per item, which is what the sparse product of
    :meth:`MultVAE.first_layer` reads, so a training step copies no weight) and ``w_conditions`` is :math:`W_c`.

    Initialised as one ``nn.Linear(n_items + n_conditions, hidden)`` through :func:`_init` (the same random draws as
    that layer) and then split; Adam's update is element-wise, so a model trains to the same bits as with one matrix.
    ``weight`` gives :math:`W` as one (hidden, n_items + n_conditions) matrix, a copy: write to the parameters.
    """

    def __init__(self, n_items: int, n_conditions: int, hidden: int, bias_std: float):
        super().__init__()
        full = _init(nn.Linear(n_items + n_conditions, hidden), bias_std)
        weight = full.weight.detach()
        self.w_items_t = nn.Parameter(weight[:, :n_items].T.contiguous())
        self.w_conditions = nn.Parameter(weight[:, n_items:].clone())
        self.bias = full.bias

    @property
    def n_items(self) -> int:
        return self.w_items_t.shape[0]

    @property
    def in_features(self) -> int:
        return self.n_items + self.w_conditions.shape[1]

    @property
    def weight(self) -> torch.Tensor:
        return torch.cat([self.w_items_t.T, self.w_conditions], dim=1)

    def forward(self, inputs: torch.Tensor) -> torch.Tensor:
        """The dense map of a (batch, n_items + n_conditions) input (the reference :meth:`MultVAE.first_layer` is
        held to)."""
        return F.linear(inputs, self.weight, self.bias)

    def without_conditions(self) -> "FirstLayer":
        """A copy with no condition columns (no random draws)."""
        plain = copy.deepcopy(self)
        plain.w_conditions = nn.Parameter(self.w_conditions.detach()[:, :0].clone())
        return plain


class MultVAE(nn.Module):
    """Mult-VAE when ``n_conditions == 0``, C-VAE otherwise (the condition is concatenated to the encoder input).

    Reference: liang2018, carraro2020
    """

    def __init__(
        self,
        n_items: int,
        n_conditions: int = 0,
        hidden: int = 600,
        latent: int = 200,
        dropout: float = 0.5,
        bias_std: float = 1e-3,
    ):
        super().__init__()
        self.n_items, self.n_conditions, self.latent = n_items, n_conditions, latent
        self.dropout = dropout
        self.encoder = FirstLayer(n_items, n_conditions, hidden, bias_std)
        self.to_stats = _init(nn.Linear(hidden, 2 * latent), bias_std)
        self.decoder_hidden = _init(nn.Linear(latent, hidden), bias_std)
        self.decoder_out = _init(nn.Linear(hidden, n_items), bias_std)

    def encode(self, items: torch.Tensor, condition: torch.Tensor | None = None):
        """(mu, logvar) of q(z | items, condition); ``items`` is the binary history, normalised here."""
        x = F.normalize(items, p=2, dim=1)
        stats = self.to_stats(torch.tanh(self.first_layer(x, condition)))
        return stats[:, : self.latent], stats[:, self.latent :]

    def first_layer(self, x: torch.Tensor, condition: torch.Tensor | None = None) -> torch.Tensor:
        """``encoder([dropout(x), c])`` computed from the non-zeros of ``x`` only (a history row has a few percent):
        the same affine map, and the same random draws as :func:`input_dropout`, without the dense product."""
        rows, cols = x.nonzero(as_tuple=True)
        values = x[rows, cols]
        if self.training and self.dropout > 0:
            values = (
                values * (torch.rand(rows.shape[0], device=x.device) >= self.dropout).to(x.dtype) / (1 - self.dropout)
            )
        offsets = torch.zeros(x.shape[0] + 1, dtype=torch.long, device=x.device)
        offsets[1:] = torch.bincount(rows, minlength=x.shape[0]).cumsum(0)
        out = F.embedding_bag(
            cols, self.encoder.w_items_t, offsets, mode="sum", per_sample_weights=values, include_last_offset=True
        )
        out = out + self.encoder.bias
        if self.n_conditions and condition is not None:
            out = out + condition @ self.encoder.w_conditions.T
        return out

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Item logits (the softmax is taken in the loss)."""
        return self.decoder_out(torch.tanh(self.decoder_hidden(z)))

    def forward(self, items: torch.Tensor, condition: torch.Tensor | None = None):
        mu, logvar = self.encode(items, condition)
        if self.training:
            z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        else:
            z = mu
        return self.decode(z), mu, logvar


def kl_divergence(mu: torch.Tensor, logvar: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of KL(N(mu, exp(logvar)) || N(0, I))."""
    return (0.5 * (mu.pow(2) + logvar.exp() - logvar - 1).sum(dim=1)).mean()


def multinomial_nll(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean over the batch of -sum_i t_i log softmax(logits)_i."""
    return -(F.log_softmax(logits, dim=1) * target).sum(dim=1).mean()


def vae_loss(logits, target, mu, logvar, beta: float) -> torch.Tensor:
    return multinomial_nll(logits, target) + beta * kl_divergence(mu, logvar)


def as_multvae(model: MultVAE) -> MultVAE:
    """The Mult-VAE that C-VAE is when its condition is fixed to 0: the same weights without the condition columns of
    the encoder's first layer (a copy; ``model`` is unchanged)."""
    plain = copy.deepcopy(model)
    plain.n_conditions = 0
    plain.encoder = model.encoder.without_conditions()
    return plain


def reduction_gap(
    model: MultVAE,
    history: torch.Tensor,
    steps: int = 5,
    condition: int | None = None,
    beta: float = 8e-3,
    lr: float = 1e-3,
    seed: int = 0,
) -> float:
    """How far C-VAE with c = 0 is from Mult-VAE (§2: "if c is fixed to 0, C-VAE is equivalent to Mult-VAE").

    Copies of ``model`` and of :func:`as_multvae` of it are evaluated on ``history`` and then trained side by side for
    ``steps`` Adam steps on the same unconditioned examples with the same random draws (dropout, sampling noise);
    returns the largest absolute difference of their item logits over all evaluations. 0 up to float rounding when
    the statement holds. With ``condition`` (a genre index), C-VAE is given that condition instead of c = 0: the
    null case, where the two must differ.
    """
    cvae, plain = copy.deepcopy(model), as_multvae(model)
    c = history.new_zeros(history.shape[0], model.n_conditions)
    if condition is not None:
        c[:, condition] = 1.0
    optimisers = [torch.optim.Adam(m.parameters(), lr=lr) for m in (cvae, plain)]
    gap = 0.0
    for step in range(steps + 1):
        with torch.no_grad():
            cvae.eval(), plain.eval()
            gap = max(gap, float((cvae(history, c)[0] - plain(history)[0]).abs().max()))
        if step == steps:
            break
        for m, optimiser, cond in zip((cvae, plain), optimisers, (c, None)):
            m.train()
            torch.manual_seed(seed + step)
            logits, mu, logvar = m(history, cond)
            loss = vae_loss(logits, history, mu, logvar, beta)
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    return gap
