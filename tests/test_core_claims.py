import json
import math

import numpy as np
import pytest

from replicate.core.claims import (
    AtLeast,
    AtMost,
    Claim,
    Exact,
    Exceeds,
    Holds,
    NotApplicable,
    Order,
    Within,
    aggregate,
    format_value,
    load,
    ours_label,
    regenerates,
    rule_from_spec,
    save,
    scorecard_markdown,
    seeds_label,
    verdict_label,
)
from replicate.paths import Run


def test_exact():
    assert Exact().verdict(1_000_209, 1_000_209) == "replicated"
    assert Exact().verdict(1_000_209, 1_000_208) == "not replicated"
    assert Exact().verdict(18, np.int64(18)) == "replicated"


def test_within_relative_and_absolute():
    # |0.33 - 0.30| = 0.03 <= 0.1 * 0.30 = 0.03
    assert Within(rel=0.1).verdict(0.30, 0.33) == "replicated"
    assert Within(rel=0.1).verdict(0.30, 0.331) == "not replicated"
    # abs + rel: 0.01 + 0.05 * 0.2 = 0.02
    assert Within(rel=0.05, abs=0.01).verdict(0.2, 0.219) == "replicated"
    assert Within(rel=0.05, abs=0.01).verdict(0.2, 0.221) == "not replicated"
    assert Within(abs=500).verdict(4000, 3706) == "replicated"
    assert Within(abs=1).verdict(1.0, math.nan) == "not replicated"


def test_within_direction_against_baseline():
    # paper: RecoNet 0.35 beats FM 0.30; ours 0.25 beats our FM 0.20, but 0.25 is far from 0.35.
    rule = Within(rel=0.05, baseline=(0.30, 0.20))
    assert rule.verdict(0.35, 0.25) == "direction holds"
    assert rule.verdict(0.35, 0.18) == "not replicated"
    assert rule.verdict(0.35, 0.36) == "replicated"
    assert "direction" in rule.describe()


def test_rule_descriptions():
    assert Within(abs=50_000).describe() == "within ±50,000"
    assert Within(rel=0.1).describe() == "within ±10%"
    assert AtMost(1e-4).describe() == "ours <= 0.0001"
    assert NotApplicable("ML-20M absent").describe() == "not comparable: ML-20M absent"


def test_bounds_and_holds():
    assert AtMost(1e-4).verdict(None, 3e-5) == "replicated"
    assert AtMost(1e-4).verdict(None, 2e-4) == "not replicated"
    assert AtLeast().verdict(1000, 12_000) == "replicated"
    assert AtLeast().verdict(1000, 999.9) == "not replicated"
    assert Holds().verdict(True, True) == "replicated"
    assert Holds().verdict(True, np.bool_(False)) == "not replicated"
    with pytest.raises(TypeError):
        Holds().verdict(True, 1)
    assert NotApplicable("ML-20M absent").verdict(20_108, None) == "not applicable"


def test_numbers_must_be_numbers():
    with pytest.raises(TypeError):
        Within(rel=0.1).verdict("0.3", 0.3)


def test_regenerates():
    assert regenerates(1_000_209, 1_000_209, 1e-9, 0)
    assert not regenerates(1_000_209, 1_000_210, 1e-9, 0)
    assert regenerates(0.5, 0.52, 0.0, 0.02)
    assert not regenerates(0.5, 0.53, 0.0, 0.02)
    assert regenerates(True, True, 0, 0) and not regenerates(True, False, 0, 0)
    assert regenerates(None, None, 0, 0) and not regenerates(None, 1.0, 0, 0)
    assert regenerates(math.nan, math.nan, 0, 0) and not regenerates(math.nan, 1.0, 0, 0)
    assert not regenerates(1.0, True, 1, 1)


def test_claim_roundtrip(tmp_path):
    claim = Claim.make("data", "n", "ratings", 100_000, np.int64(100_000), Exact(), source="README")
    assert claim.verdict == "replicated" and claim.ours == 100_000 and type(claim.ours) is int
    claims_file = Run("smoke", "x", folder=tmp_path).claims
    save([claim], claims_file)
    assert load(claims_file) == [claim]


def test_format_value():
    assert format_value(1_000_209) == "1,000,209"
    assert format_value(0.12345) == "0.1235"
    assert format_value(3e-5) == "3e-05"
    assert format_value(True) == "yes"
    assert format_value(None) == "—"


def test_scorecard_links_each_row_to_its_section_and_separates_book_checks():
    claims = [
        Claim.make("data", "a", "ML-1M <ratings>", 1, 1, Exact(), section="Counts", anchor="counts"),
        Claim.make("data", "b", "ML-20M movies", 20_108, None, NotApplicable("absent")),
        Claim.make("data", "c", "beats popularity", None, 0.1, AtLeast(0.0), kind="book"),
    ]
    page = scorecard_markdown([("data", "The data", claims)], "smoke")
    assert page.startswith("# Scorecard")
    assert '<a href="chapters/data.html#counts">ML-1M &lt;ratings&gt;</a>' in page
    assert '<a href="chapters/data.html">ML-20M movies</a>' in page
    assert "Paper claims: 1 replicated, 1 not applicable. Facts: none. Book checks: 1 replicated." in page
    assert "**1 of 1 testable paper claims replicated** (0 uninformative, 1 not applicable here)" in page
    paper_table, book_table = page.split("### Paper claims")[1].split("### Book checks")
    assert "ML-20M movies" in paper_table and "beats popularity" not in paper_table
    assert "beats popularity" in book_table


def test_kind_must_be_known():
    with pytest.raises(ValueError, match="kind must be one of paper, fact, book"):
        Claim.make("data", "a", "x", 1, 1, Exact(), kind="mine")


def test_within_with_an_interval_needs_all_of_it_in_the_band():
    rule = Within(abs=0.05)  # band 0.05..0.15 around the paper's 0.10
    assert rule.verdict(0.10, 0.12, interval=(0.07, 0.14)) == "replicated"
    assert rule.verdict(0.10, 0.12, interval=(0.02, 0.20)) == "inconclusive"  # straddles both edges
    assert rule.verdict(0.10, 0.14, interval=(0.12, 0.17)) == "inconclusive"  # straddles the upper edge
    assert rule.verdict(0.10, 0.25, interval=(0.20, 0.30)) == "not replicated"  # entirely outside
    # an interval with a non-finite end (one user) is no exact value: nothing is decided
    assert rule.verdict(0.10, 0.12, interval=(float("nan"), float("nan"))) == "inconclusive"
    assert AtLeast(0.0).verdict(None, 0.3, interval=(0.1, float("inf"))) == "inconclusive"
    assert Exact().verdict(3, 3, interval=(float("nan"), float("nan"))) == "replicated"  # an exact fact
    with pytest.raises(ValueError):
        rule.verdict(0.10, 0.12, interval=(0.2, 0.1))


def test_bounds_with_an_interval():
    assert AtLeast(0.0).verdict(None, 0.3, interval=(0.1, 0.5)) == "replicated"
    assert AtLeast(0.0).verdict(None, 0.1, interval=(-0.1, 0.3)) == "inconclusive"
    assert AtLeast(0.0).verdict(None, -0.2, interval=(-0.3, -0.1)) == "not replicated"
    assert AtMost(0.05).verdict(None, 0.01, interval=(0.0, 0.04)) == "replicated"
    assert AtMost(0.05).verdict(None, 0.04, interval=(0.01, 0.09)) == "inconclusive"


def test_exceeds_needs_the_interval_beyond_the_bound_and_a_sign_alone_decides_nothing():
    assert Exceeds().verdict(None, 0.5, interval=(0.2, 0.8)) == "replicated"
    assert Exceeds().verdict(None, 0.5, interval=(-0.1, 1.1)) == "inconclusive"  # a coin flip under the null
    assert Exceeds().verdict(None, 0.5) == "inconclusive"  # a sign without an interval
    assert Exceeds().verdict(None, 0.0, interval=(-0.3, 0.0)) == "not replicated"
    assert Exceeds().verdict(None, -0.5, interval=(-0.8, -0.2)) == "not replicated"
    assert Exceeds(below=True).verdict(None, -0.5, interval=(-0.8, -0.2)) == "replicated"


def test_order_uses_kendall_tau():
    paper = ["RecoNet", "OCuLaR", "CML", "FM"]
    assert Order(min_tau=0.5).verdict(paper, paper) == "replicated"
    # one adjacent swap among 4: tau = (5 - 1) / 6
    claim = Claim.make("reconet", "order", "order", paper, ["OCuLaR", "RecoNet", "CML", "FM"], Order(min_tau=0.5))
    assert claim.tau == pytest.approx(4 / 6) and claim.verdict == "replicated"
    assert Order(min_tau=0.5).verdict(paper, list(reversed(paper))) == "not replicated"


def test_relative_error():
    assert Claim.make("c", "a", "x", 0.30, 0.33, Within(rel=0.1)).relative_error == pytest.approx(0.1)
    assert Claim.make("c", "a", "x", None, 0.33, AtLeast(0.0)).relative_error is None
    assert Claim.make("c", "a", "x", True, True, Holds()).relative_error is None


def test_rule_spec_round_trips():
    for rule in (
        Within(rel=0.1, baseline=(0.3, 0.2)),
        AtLeast(2.0),
        AtMost(),
        Exceeds(below=True),
        Holds(),
        Order(0.3),
        NotApplicable("absent"),
        Exact(),
    ):
        assert rule_from_spec(json.loads(json.dumps(rule.spec()))) == rule


def _seeded(values, rule, paper=0.10):
    return {seed: [Claim.make("c", "a", "x", paper, v, rule)] for seed, v in enumerate(values)}


def test_aggregate_seeds_that_agree_keep_their_verdict():
    [claim] = aggregate(_seeded([0.11, 0.12, 0.10, 0.11, 0.12], Within(abs=0.05)))
    assert claim.ours == pytest.approx(0.112)
    assert claim.interval[0] < 0.112 < claim.interval[1]
    assert claim.verdict == "replicated" and claim.seeds["k"] == 5 and claim.seeds["n"] == 5
    assert verdict_label(claim) == "replicated (5 of 5 seeds replicated)"
    assert ours_label(claim).endswith(f", sd {format_value(np.std([0.11, 0.12, 0.10, 0.11, 0.12], ddof=1))}")
    assert claim.seeds["method"] == "t over seeds"  # no seed has an interval of its own
    # every seed inside the band on its own: the t-interval over four seed values (t = 3.2) would straddle an edge,
    # but each seed is evidence; seeds that agree keep their verdict
    [wide] = aggregate(_seeded([0.06, 0.145, 0.07, 0.14], Within(abs=0.05)))
    assert wide.verdict == "replicated"
    assert verdict_label(wide) == "replicated (4 of 4 seeds replicated)"


def test_aggregate_flags_a_verdict_that_changes_between_seeds():
    [claim] = aggregate(_seeded([0.12, 0.30, 0.11], Within(abs=0.05)))
    assert claim.verdict == "unstable" and claim.seeds["k"] == 2 and claim.seeds["n"] == 3
    assert verdict_label(claim) == "unstable (2 of 3 seeds replicated)"
    assert seeds_label(claim) == "seed 0: 0.12, replicated; seed 1: 0.3, not replicated; seed 2: 0.11, replicated"
    page = scorecard_markdown([("x", "X", [claim])], "paper", [0, 1, 2])
    assert "<details><summary>per seed</summary><small>seed 0: 0.12, replicated; seed 1: 0.3" in page
    assert seeds_label(aggregate(_seeded([0.12], Within(abs=0.05)))[0]) == ""
    runs = {s: [Claim.make("c", "b", "holds", True, v, Holds())] for s, v in enumerate([True, True, False])}
    [holds] = aggregate(runs)
    assert holds.verdict == "unstable" and holds.ours is False


def test_aggregate_never_replicates_what_no_seed_replicated():
    """The seeds agree on a weaker verdict, and the rule read on their mean and t-interval would say replicated: the
    seeds' verdict stands (hand-made cases; each passed as replicated before this rule)."""
    # equal to the paper's 100 in no seed, yet their mean is exactly 100
    [exact] = aggregate(_seeded([99, 101], Exact(), paper=100))
    assert exact.ours == 100 and exact.verdict == "not replicated"
    assert verdict_label(exact) == "not replicated (0 of 2 seeds replicated)"
    # 20 seeds, each outside the ±10 % band on alternate sides; their t-interval lies inside it
    [within] = aggregate(_seeded([1.105, 0.895] * 10, Within(rel=0.1), paper=1.0))
    assert Within(rel=0.1).verdict(1.0, within.ours, within.interval) == "replicated"
    assert within.verdict == "not replicated" and within.seeds["k"] == 0
    # each seed inconclusive on its own interval over users; the seeds lie close together
    runs = {
        s: [Claim.make("c", "g", "gain", None, v, Exceeds(), interval=(v - 0.02, v + 0.02))]
        for s, v in enumerate([0.010, 0.011, 0.012])
    }
    assert {r[0].verdict for r in runs.values()} == {"inconclusive"}
    [gain] = aggregate(runs)
    assert gain.verdict == "inconclusive" and gain.seeds["method"] == "random effects"
    runs = {
        s: [Claim.make("c", "w", "within", 0.1, v, Within(abs=0.01), interval=(v - 0.02, v + 0.02))]
        for s, v in enumerate([0.100, 0.101, 0.102])
    }
    [wide] = aggregate(runs)
    assert {r[0].verdict for r in runs.values()} == {"inconclusive"} and wide.verdict == "inconclusive"
    [held] = aggregate(_seeded([0.10, 0.101, 0.102], Within(abs=0.01)))
    assert held.verdict == "replicated"


def test_aggregate_of_one_seed_keeps_the_claim():
    [claim] = aggregate(_seeded([0.12], Within(abs=0.05)))
    assert claim.verdict == "replicated" and claim.ours == 0.12 and claim.seeds["n"] == 1


def test_aggregate_counts_only_the_seeds_where_a_claim_applies():
    """A check that runs with the search (seed 0) is not applicable on the other seeds: they do not make it
    unstable; a claim not applicable anywhere stays so."""
    runs = {0: [Claim.make("c", "e", "edge", None, 0.02, AtLeast(0.01))]}
    runs |= {s: [Claim.make("c", "e", "edge", None, None, NotApplicable("seed 0 only"))] for s in (1, 2)}
    [claim] = aggregate(runs)
    assert claim.verdict == "replicated" and claim.seeds["seeds"] == [0] and claim.seeds["n"] == 1
    assert verdict_label(claim) == "replicated (seed 0 only, of 3)"  # the scorecard says it rests on one seed
    runs[1] = [Claim.make("c", "e", "edge", None, 0.03, AtLeast(0.01))]
    [two] = aggregate(runs)
    assert verdict_label(two) == "replicated (2 of 2 seeds replicated; 1 more not applicable)"
    [never] = aggregate({s: [Claim.make("c", "n", "n/a", None, None, NotApplicable("no data"))] for s in (0, 1)})
    assert never.verdict == "not applicable" and never.seeds["n"] == 2


def test_scorecard_links_a_failed_claim_to_its_why_section_and_says_when_there_is_none():
    claims = [
        Claim.make("x", "a", "kept", 1, 1, Exact(), why="Why it fails", why_anchor="why-it-fails"),
        Claim.make("x", "b", "explained", 1, 2, Exact(), why="Why it fails", why_anchor="why-it-fails"),
        Claim.make("x", "c", "unexplained", 1, 2, Exact()),
        Claim.make("x", "d", "a check", None, -1.0, AtLeast(0.0), kind="book"),
    ]
    page = scorecard_markdown([("x", "X", claims)], "paper")
    explained = page.split("explained</a>")[1].split("</tr>")[0]
    unexplained = page.split("unexplained</a>")[1].split("</tr>")[0]
    kept = page.split("kept</a>")[1].split("</tr>")[0]
    check = page.split("a check</a>")[1].split("</tr>")[0]
    assert '<a href="chapters/x.html#why-it-fails">why?</a>' in explained
    assert "no tested cause yet" in unexplained and "why?" not in unexplained
    assert "why?" not in kept and "no tested cause" not in kept  # replicated: nothing to explain
    assert "no tested cause" not in check  # a book check is itself a test


def test_aggregate_reads_a_direction_against_the_mean_of_the_seeds_references():
    """ "Ours beats our baseline" over seeds compares the mean of ours with the mean of each seed's own baseline, not
    with seed 0's: here no seed beats its baseline, yet the mean of ours clears seed 0's (low) baseline."""
    paper, paper_ref = 0.72, 0.63

    def runs(pairs):
        rule = lambda ref: Within(abs=0.01, baseline=(paper_ref, ref))  # noqa: E731
        return {s: [Claim.make("c", "d", "x", paper, ours, rule(ref))] for s, (ours, ref) in enumerate(pairs)}

    missed = runs([(0.60, 0.61), (0.64, 0.70), (0.64, 0.70)])
    assert {r[0].verdict for r in missed.values()} == {"not replicated"}
    [claim] = aggregate(missed)
    assert claim.ours > 0.61 and claim.verdict == "not replicated"
    assert claim.rule_spec["baseline"] == [paper_ref, pytest.approx(0.67)] and "0.67" in claim.rule
    [held] = aggregate(runs([(0.66, 0.60), (0.67, 0.62), (0.68, 0.64)]))
    assert held.verdict == "direction holds" and held.rule_spec["baseline"][1] == pytest.approx(0.62)


# --- nulls, positive controls, declarations -------------------------------------------------------------------------


def _declared(**overrides):
    from replicate.core.claims import Declared

    fields = dict(
        id="share",
        statement="users whose strongest person is outside the film",
        kind="paper",
        rule=AtLeast(0.25),
        reason="two of the paper's five movies",
        paper=0.4,
        quote="not in the cast",
        where="§3",
        null="random attributions",
    )
    return Declared(**{**fields, **overrides})


def test_a_claim_whose_null_passes_too_is_uninformative():
    from replicate.core.claims import decide, null_label

    assert decide(AtLeast(0.25), 0.4, 0.9, null=0.95) == ("uninformative", "replicated")
    assert decide(AtLeast(0.25), 0.4, 0.9, null=0.05) == ("replicated", "not replicated")
    # a null is read on its value: noise whose value meets the rule passes, however wide its interval
    assert decide(AtLeast(0.25), 0.4, 0.9, null=0.3, null_interval=(0.1, 0.5)) == ("uninformative", "replicated")
    assert decide(AtLeast(0.25), 0.4, 0.9, null=0.2, null_interval=(0.1, 0.3)) == ("replicated", "inconclusive")
    # except under a significance rule: a zero effect's interval straddles the bound, which is no pass
    assert decide(Exceeds(), None, 0.05, (0.02, 0.08), null=0.01, null_interval=(-0.02, 0.04)) == (
        "replicated",
        "inconclusive",
    )
    # a null that could not be measured is no evidence that the null fails
    assert decide(AtLeast(0.25), 0.4, 0.9, null=None) == ("uninformative", "not measured")
    # ours failing stays failing, whatever the null does
    assert decide(AtLeast(0.25), 0.4, 0.1, null=0.95) == ("not replicated", "replicated")
    claim = Claim.declared("emde", _declared(), 0.9, null=0.95)
    assert verdict_label(claim) == "uninformative (the null passes too)"
    assert null_label(claim) == "null 0.95: passes"
    assert null_label(Claim.declared("emde", _declared(), 0.9, null=0.05)) == "null 0.05: fails"


def test_an_absence_claim_needs_its_positive_control_detected():
    from replicate.core.claims import null_label

    absence = _declared(
        id="no_help", rule=Within(abs=0.01), paper=0.0, null="a planted +0.02 recall difference", absence=True
    )
    seen = Claim.declared("r", absence, 0.001, (-0.005, 0.007), null=0.02, null_interval=(0.012, 0.03))
    assert seen.verdict == "replicated" and null_label(seen) == "control 0.02 [0.012, 0.03]: detected"
    blind = Claim.declared("r", absence, 0.001, (-0.005, 0.007), null=0.005, null_interval=(0.0, 0.011))
    assert blind.verdict == "uninformative"
    assert verdict_label(blind) == "uninformative (could not have seen a difference)"
    assert null_label(blind) == "control 0.005 [0, 0.011]: not detected"


def test_declarations_need_their_words_their_reason_and_their_null():
    from replicate.core.claims import declare

    with pytest.raises(ValueError, match="declared without null"):
        _declared(null="")
    with pytest.raises(ValueError, match="declared without quote, where"):
        _declared(quote="", where="")
    _declared(rule=NotApplicable("needs ML-20M"), null="")  # not testable here: no null to measure
    _declared(kind="fact", quote="", where="", reason="", null="", rule=Exact())
    with pytest.raises(ValueError, match="declared without null"):
        _declared(kind="book", absence=True, null="")
    with pytest.raises(ValueError, match="declared twice"):
        declare(_declared(), _declared())
    with pytest.raises(ValueError, match="runtime field 'tau'"):
        _declared(runtime=("tau",))
    with pytest.raises(ValueError, match="needs its null measured in the run"):
        Claim.declared("emde", _declared(), 0.9)
    with pytest.raises(ValueError, match="needs rule_args bound"):
        Claim.declared("emde", _declared(runtime=("bound",)), 0.9, null=0.0)
    measured = Claim.declared("emde", _declared(runtime=("bound",)), 0.9, null=0.0, rule_args={"bound": 0.95})
    assert measured.verdict == "not replicated" and measured.rule_spec["bound"] == 0.95


def test_an_unmeasured_claim_says_why_and_a_model_cause_counts_as_a_miss():
    data = Claim.declared("emde", _declared(), None, missing="no cast modality in this run", cause="data")
    assert data.verdict == "not applicable" and data.cause == "data"
    model = Claim.declared("emde", _declared(), None, missing="the movie is in too few top tens", cause="model")
    assert model.verdict == "not replicated"
    assert verdict_label(model) == "not replicated (not measurable in this run: the movie is in too few top tens)"
    runs = {0: [Claim.declared("emde", _declared(), 0.9, null=0.05)], 1: [model], 2: [model]}
    [claim] = aggregate(runs)
    assert claim.verdict == "unstable" and claim.seeds["n"] == 3 and claim.seeds["k"] == 1


def test_order_counts_a_missing_method_against_ours_and_places_the_focal_method():
    from replicate.core.claims import completed_order

    paper = ["RecoNet", "OCuLaR", "CML", "FM"]
    assert completed_order(paper, ["RecoNet", "CML"]) == ["RecoNet", "CML", "FM", "OCuLaR"]
    # dropping the two methods that beat ours no longer leaves a perfect order
    assert Order(min_tau=0.9).verdict(paper, ["CML", "FM"]) == "not replicated"
    assert Order(min_tau=0.5, focal="RecoNet", focal_within=2).verdict(paper, ["OCuLaR", "RecoNet", "CML", "FM"]) == (
        "replicated"
    )
    # the order of the others holds, but the paper's own method fell to the bottom
    late = ["OCuLaR", "CML", "FM", "RecoNet"]
    assert Order(min_tau=0.0).verdict(paper, late) == "replicated"
    assert Order(min_tau=0.0, focal="RecoNet", focal_within=2).verdict(paper, late) == "not replicated"
    assert "RecoNet among the first 2" in Order(focal="RecoNet", focal_within=2).describe()


def test_random_effects_by_hand():
    from replicate.stats import random_effects

    # equal estimates, equal standard errors 1 (interval ± 1.96): the fixed-effect mean, se 1 / sqrt(3), tau2 = 0
    mean, low, high, tau2 = random_effects([1.0, 1.0, 1.0], [(-0.96, 2.96)] * 3)
    assert mean == pytest.approx(1.0) and tau2 == 0.0
    assert high - mean == pytest.approx(1.959964 / math.sqrt(3), rel=1e-4)
    # estimates 0, 3 with se 1: Q = 4.5, df 1, C = 2 - 1 = 1, tau2 = 3.5; weights 1 / 4.5 each; se = sqrt(4.5 / 2)
    mean, low, high, tau2 = random_effects([0.0, 3.0], [(-1.959964, 1.959964), (1.040036, 4.959964)])
    assert tau2 == pytest.approx(3.5, rel=1e-5) and mean == pytest.approx(1.5)
    assert high - mean == pytest.approx(1.959964 * math.sqrt(2.25), rel=1e-5)


def _with_interval(values, half, rule, paper=None):
    return {
        s: [Claim.make("c", "g", "gain", paper, v, rule, interval=(v - half, v + half))] for s, v in enumerate(values)
    }


def test_over_seeds_each_level_of_evidence_counts():
    """The four hand-made cases of the procedure: every seed clearly in, every seed clearly out, seeds split, one
    seed undecided (the random-effects combination of the seeds' own intervals decides)."""
    [inside] = aggregate(_with_interval([0.040, 0.025, 0.060], 0.015, Exceeds()))  # own_cast_strong's shape
    assert inside.verdict == "replicated" and inside.seeds["k"] == 3
    assert inside.seeds["method"] == "random effects" and inside.interval[0] > 0
    [outside] = aggregate(_seeded([0.366, 0.369, 0.364], Within(abs=0.005), paper=0.35))  # t1_cml_without's shape
    assert outside.verdict == "not replicated"
    [split] = aggregate(_with_interval([0.05, -0.05, 0.06], 0.01, Exceeds()))
    assert split.verdict == "unstable" and split.seeds["k"] == 2
    [pooled] = aggregate(_with_interval([0.05, 0.03, 0.02], 0.025, Exceeds()))  # seed 2 alone straddles 0
    assert pooled.seeds["verdicts"] == ["replicated", "replicated", "inconclusive"]
    assert pooled.interval[0] > 0 and pooled.verdict == "replicated"
    [weak] = aggregate(_with_interval([0.05, 0.0, 0.001], 0.03, Exceeds()))  # one seed in, two undecided
    assert weak.verdict == "inconclusive"


def test_over_seeds_a_null_that_passes_makes_the_claim_uninformative():
    declared = _declared(rule=Exceeds(), paper=None)
    runs = {
        s: [Claim.declared("c", declared, v, (v - 0.01, v + 0.01), null=n, null_interval=(n - 0.01, n + 0.01))]
        for s, (v, n) in enumerate([(0.05, 0.04), (0.05, -0.03), (0.06, -0.04)])
    }
    assert [r[0].verdict for r in runs.values()] == ["uninformative", "replicated", "replicated"]
    [claim] = aggregate(runs)
    assert claim.seeds["null_verdicts"][0] == "replicated"
    assert claim.verdict == "unstable"  # one seed's null passes, another's fails: not evidence over the seeds
    every = {s: [r[0] for r in runs.values()][0:1] for s in range(3)}
    assert aggregate(every)[0].verdict == "uninformative"


def test_over_seeds_the_combined_null_is_read_even_when_the_seeds_agree():
    """Three seeds each replicated, each null undecided alone (a significance rule); combined, the null clears the
    bound too: not evidence over the seeds."""
    declared = _declared(rule=Exceeds(), paper=None)
    runs = {
        s: [Claim.declared("c", declared, 0.5, (0.3, 0.7), null=0.03, null_interval=(-0.005, 0.065))] for s in range(3)
    }
    assert {r[0].verdict for r in runs.values()} == {"replicated"}
    [claim] = aggregate(runs)
    assert claim.null_interval[0] > 0 and claim.null_verdict == "replicated"
    assert claim.verdict == "uninformative"


def test_scorecard_shows_the_null_and_counts_paper_claims_once():
    claims = [
        Claim.declared("x", _declared(), 0.9, null=0.95),
        Claim.declared("x", _declared(id="b"), 0.9, null=0.05),
        Claim.declared("x", _declared(id="c", same_as="y:b"), 0.9, null=0.05),
        Claim.make("x", "d", "a count", 3, 3, Exact(), kind="fact"),
    ]
    page = scorecard_markdown([("x", "X", claims)], "smoke")
    assert "**1 of 2 testable paper claims replicated** over the book" in page
    assert "**1 of 2 testable paper claims replicated** (1 uninformative, 0 not applicable here, 1 counted in" in page
    assert "null 0.95: passes" in page and "uninformative (the null passes too)" in page
    assert "### Facts of the data and the code" in page


def test_flips_at_names_the_threshold_where_the_verdict_would_change():
    from replicate.core.claims import AtLeast, AtMost, Exceeds, Order, Within

    # within 10 % of 0.30: an interval [0.29, 0.36] needs ±0.06 = 20 % of the paper's value
    assert Within(rel=0.1).flips_at(0.30, 0.33, [0.29, 0.36]) == "within ±20.0%"
    assert Within(abs=0.01).flips_at(0.5, 0.53) == "within ±0.03"
    assert AtLeast(bound=0.5).flips_at(None, 0.7, [0.6, 0.8]) == "bound 0.6"
    assert AtMost(bound=0.5).flips_at(None, 0.4, [0.3, 0.45]) == "bound 0.45"
    assert Exceeds(0.0).flips_at(None, 0.2, [0.1, 0.3]) == "bound 0.1"
    assert Exceeds(0.0, below=True).flips_at(None, -0.2, [-0.3, -0.1]) == "bound -0.1"
    assert Exceeds(0.0).flips_at(None, 0.2) == ""
    assert Order().flips_at(["a", "b", "c"], ["a", "c", "b"]) == "min τ 0.33"


def test_miss_cause_tags_misses_only_and_defaults_by_verdict():
    from replicate.core.claims import Declared, Holds, miss_cause, miss_summary

    declared = Declared("x", "x", "book", Holds(), reason="r", miss_cause="budget")
    missed = Claim.declared("c", declared, False)
    assert miss_cause(missed) == "budget"
    assert miss_cause(Claim.declared("c", declared, True)) == ""
    assert miss_cause(Claim.declared("c", declared, False, miss_cause="data substitute")) == "data substitute"
    untagged = Claim.declared("c", Declared("y", "y", "book", Holds(), reason="r"), False)
    assert miss_cause(untagged) == "unknown"
    untagged.verdict = "unstable"
    assert miss_cause(untagged) == "seed noise"
    assert miss_summary([missed, untagged]) == "1 budget, 1 seed noise"
    with pytest.raises(ValueError, match="miss_cause"):
        Declared("z", "z", "book", Holds(), reason="r", miss_cause="bad luck")


def test_a_count_the_same_in_every_seed_prints_once_as_an_integer():
    from replicate.core.claims import format_value, ours_label

    claim = Claim.make("data", "n", "ratings", 100_000, 100_000.0, Exact(), kind="fact")
    claim.interval = [100_000.0, 100_000.0]
    claim.seeds = {"n": 3, "values": [100_000, 100_000, 100_000], "sd": 0.0}
    assert ours_label(claim) == "100,000"
    assert format_value(2.0) == "2" and format_value(0.25) == "0.25"
