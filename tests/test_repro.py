import numpy as np
import pytest
import torch

from replicate import resolve_device, seed_everything
from replicate.errors import ParameterError


def _draw(seed):
    rng = seed_everything(seed)
    layer = torch.nn.Linear(4, 3)
    return rng.normal(size=3), np.random.rand(2), torch.rand(2).numpy(), layer.weight.detach().numpy().copy()


def test_same_seed_same_numbers():
    first, second = _draw(7), _draw(7)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(_draw(8)[0], first[0])


def test_device_resolution():
    assert resolve_device("auto") == ("cuda" if torch.cuda.is_available() else "cpu")
    assert resolve_device("cpu") == "cpu"
    with pytest.raises(ParameterError, match="valid choices"):
        resolve_device("tpu")
