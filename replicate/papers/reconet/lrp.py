"""RecoNet's explanation: layer-wise relevance propagation in the three steps of section 4.3, batched over users.

For a user with feature vector ``I`` (0/1 over all features) and a target item ``j``:

1. **Output to pooling** (ε-LRP through the dense part, every non-target score zeroed). In RecoNet, a single linear
   layer without bias, ``R_i = w_ji x_i`` for each of the d pooled dimensions. In RecoNet+Layer
   (``ŷ = W ReLU(H x + b)``), the hidden units first get ``R_m = w_jm h_m`` and then, with ``z_mi = H_mi x_i`` and
   ``z_m = Σ_i z_mi + b_m``, ``R_i = Σ_m z_mi / (z_m + ε sign(z_m)) R_m``. The bias ``b_m`` and ε keep part of the
   relevance: conservation holds up to them. (The paper prints the denominator as ``Σ_i' (z_ji' + b_j)``, which
   would count the bias once per input; we read it as the standard ε-rule, the bias counted once.)
2. **Pooling to latent factors** (proportional redistribution): ``Z_ik = q_ik I_k / (Σ_p q_ip I_p) R_i``.
3. **Latent factors to features** (summation over the d dimensions): ``Z_φk = Σ_i Z_ik``.

In both networks step 1 gives ``R_i = x_i c_i`` for a vector ``c`` (``c = w_j`` in the linear model), and
``Σ_p q_ip I_p = |FS| x_i``, so steps 2 and 3 together are ``Z_φk = I_k Σ_i q_ik c_i / |FS|``: two matrix products
for the whole batch, with no division by a pooled value that may be near zero. The linear model's relevances sum
exactly to the target logit ``ŷ_j`` (section 4.3, ``R_i = w_ji x_i``).
"""

from __future__ import annotations

import torch

from replicate.papers.reconet.model import RecoNet


@torch.no_grad()
def relevance(model: RecoNet, I: torch.Tensor, targets: torch.Tensor, eps: float = 1e-9) -> torch.Tensor:
    """Feature relevances ``Z_φ`` (batch, n_features) of each row of ``I`` for its target item; zero off FS_u."""
    I = I.to(model.Q.dtype)
    targets = torch.as_tensor(targets, dtype=torch.long, device=I.device)
    x = model.pool(I)  # (B, d)
    w = model.W.weight[targets]  # (B, d or hidden): row j of W per user
    if model.H is None:
        c = w  # R_i = w_ji x_i = x_i c_i
    else:
        z = model.H(x)  # pre-activations z_m, bias included
        h = torch.relu(z)
        r_hidden = w * h  # R_m = w_jm h_m (zero for inactive units)
        stabilised = z + eps * torch.where(z >= 0, 1.0, -1.0)
        c = (r_hidden / stabilised) @ model.H.weight  # R_i = x_i Σ_m H_mi R_m / (z_m + ε sign z_m)
    size = I.sum(dim=1, keepdim=True).clamp_min(1.0)
    return I * (c @ model.Q) / size


def explain_top(
    model: RecoNet, I: torch.Tensor, exclude: torch.Tensor | None = None, eps: float = 1e-9, batch: int = 4096
):
    """Recommend each row's top item (``exclude``: a 0/1 mask of items not to recommend) and explain it.

    Returns ``(targets, logits_of_targets, relevances)``; the forward pass and LRP run in batches of ``batch`` rows.
    """
    targets, values, relevances = [], [], []
    with torch.no_grad():
        for start in range(0, I.shape[0], batch):
            rows = I[start : start + batch].to(model.Q.dtype)
            logits = model(rows)
            if exclude is not None:
                logits = logits.masked_fill(exclude[start : start + batch].bool(), float("-inf"))
            top = logits.argmax(dim=1)
            targets.append(top)
            values.append(logits.gather(1, top[:, None])[:, 0])
            relevances.append(relevance(model, rows, top, eps=eps))
    return torch.cat(targets), torch.cat(values), torch.cat(relevances)
