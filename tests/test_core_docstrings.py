"""Docstrings of the models: each paper's model names its sources by bib key, and LaTeX sits in raw strings."""

import importlib
import io
import re
import tokenize

import pytest

from replicate import paths

# The model of each paper (the torch.nn.Module a chapter trains and explains).
MODELS = [
    "replicate.papers.emde.network.EMDENet",
    "replicate.papers.cvae.model.MultVAE",
    "replicate.papers.reconet.model.RecoNet",
    "replicate.papers.skip.transformer.SkipTransformer",
    "replicate.papers.skip.moe.AttributionMoE",
]


def _bib_keys() -> set[str]:
    return set(re.findall(r"@\w+\{([^,]+),", (paths.REPO / "book" / "references.bib").read_text()))


@pytest.mark.parametrize("dotted", MODELS)
def test_each_paper_model_has_a_reference_line_with_bib_keys(dotted):
    module, name = dotted.rsplit(".", 1)
    doc = getattr(importlib.import_module(module), name).__doc__ or ""
    found = re.search(r"^\s*Reference:\s*(.+)$", doc, re.M)
    assert found, f"{dotted}: its docstring needs a 'Reference: <bib key>' line"
    keys = [k.strip() for k in found.group(1).split(",")]
    assert set(keys) <= _bib_keys(), f"{dotted}: {set(keys) - _bib_keys()} not in book/references.bib"


def test_latex_in_docstrings_is_in_raw_strings():
    offenders = []
    for path in sorted((paths.REPO / "replicate").rglob("*.py")):
        for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
            text = token.string
            if token.type == tokenize.STRING and re.search(r":math:|\.\. math::", text):
                if not text.lower().startswith(("r", "br", "rb")):
                    offenders.append(f"{path.relative_to(paths.REPO)}:{token.start[0]}")
    assert not offenders, f'LaTeX in a string that is not raw (write r"""..."""): {offenders}'
