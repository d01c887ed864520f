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
    save([claim], tmp_path / "claims.json")
    assert load(tmp_path / "claims.json") == [claim]


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
    assert "Paper claims: 1 replicated, 1 not applicable. Book checks: 1 replicated." in page
    assert "**1 of 1 testable paper claims replicated** (1 not applicable here)" in page
    paper_table, book_table = page.split("### Paper claims")[1].split("### Book checks")
    assert "ML-20M movies" in paper_table and "beats popularity" not in paper_table
    assert "beats popularity" in book_table


def test_kind_must_be_known():
    with pytest.raises(ValueError, match="kind must be one of paper, book"):
        Claim.make("data", "a", "x", 1, 1, Exact(), kind="mine")


def test_within_with_an_interval_needs_all_of_it_in_the_band():
    rule = Within(abs=0.05)  # band 0.05..0.15 around the paper's 0.10
    assert rule.verdict(0.10, 0.12, interval=(0.07, 0.14)) == "replicated"
    assert rule.verdict(0.10, 0.12, interval=(0.02, 0.20)) == "inconclusive"  # straddles both edges
    assert rule.verdict(0.10, 0.14, interval=(0.12, 0.17)) == "inconclusive"  # straddles the upper edge
    assert rule.verdict(0.10, 0.25, interval=(0.20, 0.30)) == "not replicated"  # entirely outside
    assert rule.verdict(0.10, 0.12, interval=(float("nan"), float("nan"))) == "replicated"  # no interval: the value
    with pytest.raises(ValueError):
        rule.verdict(0.10, 0.12, interval=(0.2, 0.1))


def test_bounds_with_an_interval():
    assert AtLeast(0.0).verdict(None, 0.3, interval=(0.1, 0.5)) == "replicated"
    assert AtLeast(0.0).verdict(None, 0.1, interval=(-0.1, 0.3)) == "inconclusive"
    assert AtLeast(0.0).verdict(None, -0.2, interval=(-0.3, -0.1)) == "not replicated"
    assert AtMost(0.05).verdict(None, 0.01, interval=(0.0, 0.04)) == "replicated"
    assert AtMost(0.05).verdict(None, 0.04, interval=(0.01, 0.09)) == "inconclusive"


def test_exceeds_needs_the_interval_beyond_the_bound_and_a_sign_alone_is_direction():
    assert Exceeds().verdict(None, 0.5, interval=(0.2, 0.8)) == "replicated"
    assert Exceeds().verdict(None, 0.5, interval=(-0.1, 1.1)) == "direction holds"
    assert Exceeds().verdict(None, 0.5) == "direction holds"  # a sign without an interval
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


def test_aggregate_numbers_over_seeds_use_the_t_interval():
    [claim] = aggregate(_seeded([0.11, 0.12, 0.10, 0.11, 0.12], Within(abs=0.05)))
    assert claim.ours == pytest.approx(0.112)
    assert claim.interval[0] < 0.112 < claim.interval[1]
    assert claim.verdict == "replicated" and claim.seeds["k"] == 5 and claim.seeds["n"] == 5
    assert verdict_label(claim) == "replicated (5 of 5 seeds replicated)"
    assert ours_label(claim).endswith(f", sd {format_value(np.std([0.11, 0.12, 0.10, 0.11, 0.12], ddof=1))}")
    # every seed inside the band, but the interval over seeds reaches past its edge: not decidable
    [wide] = aggregate(_seeded([0.06, 0.145, 0.07, 0.14], Within(abs=0.05)))
    assert wide.verdict == "inconclusive"
    assert verdict_label(wide) == "inconclusive (4 of 4 seeds replicated)"


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
    assert {r[0].verdict for r in runs.values()} == {"direction holds"}
    [gain] = aggregate(runs)
    assert gain.interval[0] > 0 and gain.verdict == "direction holds"
    runs = {
        s: [Claim.make("c", "w", "within", 0.1, v, Within(abs=0.01), interval=(v - 0.02, v + 0.02))]
        for s, v in enumerate([0.100, 0.101, 0.102])
    }
    [wide] = aggregate(runs)
    assert {r[0].verdict for r in runs.values()} == {"inconclusive"} and wide.verdict == "inconclusive"
    # every seed replicated: the rule over the seeds still decides (replicated here)
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
    assert verdict_label(two) == "inconclusive (2 of 2 seeds replicated; 1 more not applicable)"  # t(1) is wide
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
