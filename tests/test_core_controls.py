"""The generic test of the book's nulls and positive controls, over every chapter.

Each chapter declares its claims once (``claims:`` in its header names the module). Over each chapter's smoke run
(the committed reference is seed 0's smoke run, with the null beside ours): every testable paper claim has a
declared and a computed null, no replicated claim's null passes, every absence or equivalence claim's positive
control was detected. The slow pipeline test applies the same check to the claims of a fresh smoke build.
"""

import json

import pytest

from replicate import paths
from replicate.core import check, claims, runner
from replicate.core.chapter import declaration
from replicate.core.claims import AtLeast, Declared, Within

CHAPTERS = runner.available()


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_declares_its_claims_in_one_module(name):
    declared = declaration(paths.NOTEBOOKS / f"{name}.py")
    assert declared["claims_module"], f"{name}: its header's `claims:` must name its declarations module"
    specs = claims.declarations(declared["claims_module"])
    assert list(specs) == declared["claims"]
    source = (paths.NOTEBOOKS / f"{name}.py").read_text()
    assert "ch.claim(" not in source and "rule=" not in source  # no rule or claim text typed in the notebook


@pytest.mark.parametrize("name", CHAPTERS)
def test_every_smoke_claim_has_its_null_and_no_replicated_claim_has_a_passing_one(name):
    specs = claims.declarations(declaration(paths.NOTEBOOKS / f"{name}.py")["claims_module"])
    reference = json.loads(check.reference_path(name).read_text())
    assert set(specs) == set(reference), f"{name}: the reference and the declarations name other claims"
    assert check.control_problems(specs, reference) == []
    for claim_id, spec in specs.items():
        row = reference[claim_id]
        assert row["paper"] == claims.plain(spec.paper) and row["null"] == spec.null  # stored beside ours


def _spec(**kw):
    base = dict(
        id="a", statement="s", kind="paper", rule=AtLeast(0.25), reason="r", paper=0.4, quote="q", where="§3", null="n"
    )
    return Declared(**{**base, **kw})


def test_the_generic_check_fails_a_claim_without_a_null_and_a_passing_null():
    # a declaration without a null cannot even be made; one smuggled past the constructor is still named
    spec = _spec()
    object.__setattr__(spec, "null", "")
    assert check.control_problems({"a": spec}, {}) == ["claim a is a testable paper claim declared without a null"]
    recorded = {"a": {"verdict": "replicated", "null_verdict": None}}
    assert "recorded without its null" in check.control_problems({"a": _spec()}, recorded)[0]
    recorded = {"a": {"verdict": "replicated", "null_verdict": "replicated"}}
    assert "replicated while its null passes (replicated)" in check.control_problems({"a": _spec()}, recorded)[0]
    absence = _spec(rule=Within(abs=0.01), paper=0.0, absence=True, null="planted +0.02")
    recorded = {"a": {"verdict": "replicated", "null_verdict": "inconclusive"}}
    assert (
        "replicated while its positive control went undetected (inconclusive)"
        in (check.control_problems({"a": absence}, recorded)[0])
    )
    # an underpowered measurement shown as such: the claim is uninformative, which the scorecard says
    recorded = {"a": {"verdict": "uninformative", "null_verdict": "inconclusive"}}
    assert check.control_problems({"a": absence}, recorded) == []
    recorded = {"a": {"verdict": "replicated", "null_verdict": "not replicated"}}
    assert check.control_problems({"a": absence}, recorded) == []
    # the claim already saw a difference larger than its margin: the measurement had the power it needed
    recorded = {"a": {"verdict": "not replicated", "null_verdict": "inconclusive"}}
    assert check.control_problems({"a": absence}, recorded) == []
    # not measured in this run (no cast modality): nothing to check
    recorded = {"a": {"verdict": "not applicable", "null_verdict": None, "cause": "data"}}
    assert check.control_problems({"a": _spec()}, recorded) == []
