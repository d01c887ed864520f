"""Parameter handling and error paths of the runner, and the regeneration check on fabricated outputs."""

import hashlib
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest

from replicate import paths, plots
from replicate.core import check, runner
from replicate.core.chapter import Chapter, declaration
from replicate.core.claims import Claim, Exact, save
from replicate.errors import ParameterError, ReplicateError
from replicate.repro import kernel_environment

DATA = paths.NOTEBOOKS / "data.py"


def test_every_notebook_has_the_required_parameters_and_a_declaration():
    assert "data" in runner.available()
    for name in runner.available():
        path = runner.notebook_path(name)
        params = runner.parameters(path)
        assert set(runner.REQUIRED_PARAMETERS) <= set(params)
        assert params["profile"] == "smoke" and params["device"] == "auto"
        assert declaration(path)["figures"] and declaration(path)["claims"]


def test_notebook_names_and_paths():
    assert runner.notebook_path("data") == DATA
    assert runner.notebook_path("notebooks/data.py") == DATA
    with pytest.raises(ParameterError, match="valid notebooks are cvae, data, emde, faithfulness, reconet, skip"):
        runner.notebook_path("nope")


def test_parse_assignments():
    assert runner.parse_assignments(["seed=3", "dataset=ml-100k", "data_dir=None", "x='a=b'"]) == {
        "seed": 3,
        "dataset": "ml-100k",
        "data_dir": None,
        "x": "a=b",
    }
    with pytest.raises(ParameterError, match="key=value"):
        runner.parse_assignments(["seed"])


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(ParameterError) as error:
        runner.resolve_parameters(DATA, "smoke", {"epochs": 3})
    assert "epochs" in str(error.value) and "profile, dataset, data_dir, seed, device" in str(error.value)


def test_unknown_profile_lists_the_valid_ones():
    with pytest.raises(ParameterError, match="valid profiles are smoke, paper"):
        runner.resolve_parameters(DATA, "full", {})
    with pytest.raises(ParameterError, match="--profile"):
        runner.resolve_parameters(DATA, "smoke", {"profile": "paper"})


def test_resolved_parameters_and_stamp():
    params = runner.resolve_parameters(DATA, "paper", {"seed": 5})
    assert params["profile"] == "paper" and params["seed"] == 5 and params["dataset"] == "ml-1m"
    assert runner.stamp_of(DATA, params) == runner.stamp_of(DATA, dict(params))
    assert runner.stamp_of(DATA, params) != runner.stamp_of(DATA, {**params, "seed": 6})


def test_run_rejects_bad_input_before_doing_anything(build_dir):
    with pytest.raises(ParameterError):
        runner.run("data", "smoke", {"nope": 1})
    assert not build_dir.exists()


def test_heading_parser_skips_code_fences():
    source = "# Title\n## Counts\n```bash\n# not a heading\n```\n### Sub section\n#hashtag"
    assert runner._headings(source) == [(1, "Title"), (2, "Counts"), (3, "Sub section")]
    assert runner.section_anchor("What each paper used, and what this book uses") == (
        "what-each-paper-used-and-what-this-book-uses"
    )


def test_chapter_refuses_undeclared_names(build_dir):
    ch = Chapter("data", profile="smoke")
    assert ch.dir == build_dir / "smoke" / "data" / "seed-0"
    fig, _ = plt.subplots()
    with pytest.raises(ReplicateError, match="not declared"):
        ch.figure(fig, "undeclared", show=False)
    with pytest.raises(ReplicateError, match="claim 'undeclared' is not declared in replicate.data.claims"):
        ch.record("undeclared", 1)
    with pytest.raises(ReplicateError, match="needs its null measured in the run"):
        ch.record("films_added_genre_agreement", 0.95, (0.94, 0.96))  # a book check declared with a null
    with pytest.raises(ReplicateError, match="not declared as runtime fields"):
        ch.record("ml1m_genres", 18, rule_args={"bound": 3})
    ch.record("ml1m_genres", 18)
    with pytest.raises(ReplicateError, match="twice"):
        ch.record("ml1m_genres", 18)
    with pytest.raises(ReplicateError, match="did not produce: figure ratings"):
        ch.finish()
    with pytest.raises(ParameterError, match="valid profiles"):
        Chapter("data", profile="huge")


# --- the regeneration check on fabricated outputs --------------------------------------------------------------------


def _image(path, kind="plot"):
    fig, ax = plt.subplots(figsize=(3, 2))
    if kind == "plot":
        ax.plot(np.arange(10), np.arange(10) ** 2)
    else:
        ax.set_axis_off()
    plots.save_png(fig, path)
    plt.close(fig)


def _fabricate(out):
    """Outputs that agree with the committed reference of the data chapter, as a default smoke run leaves them."""
    out.dir.mkdir(parents=True, exist_ok=True)
    params = runner.resolve_parameters(DATA, "smoke", {})
    kernels = kernel_environment("smoke")
    stamp = {"stamp": runner.stamp_of(DATA, params, kernels), "parameters": params}
    out.stamp.write_text(json.dumps({**stamp, "kernels": kernels or "the machine's own"}))
    declared = declaration(DATA)
    for name in declared["figures"]:
        _image(out.figure(name))
    reference = json.loads(check.reference_path("data").read_text())
    claims = [
        Claim(
            "data",
            cid,
            ref["description"],
            ref.get("paper"),
            ref["ours"],
            "equal",
            ref["verdict"],
            source="x",
            regen=ref["regen"],
            rule_spec=ref.get("rule"),
            null_model=ref.get("null", ""),
            null=ref.get("null_value"),
            null_verdict=ref.get("null_verdict"),
            kind=ref.get("kind", "paper"),
        )
        for cid, ref in reference.items()
    ]
    save(claims, out.claims)
    return claims


def test_image_problems(tmp_path):
    _image(tmp_path / "ok.png")
    _image(tmp_path / "blank.png", kind="blank")
    (tmp_path / "text.png").write_text("not an image")
    fig = plt.figure(figsize=(0.3, 0.3))
    plots.save_png(fig, tmp_path / "tiny.png")
    assert check.image_problem(tmp_path / "ok.png") is None
    assert check.image_problem(tmp_path / "blank.png").startswith("blank")
    assert check.image_problem(tmp_path / "text.png").startswith("not a readable PNG")
    assert check.image_problem(tmp_path / "tiny.png").startswith("too small")
    assert check.image_problem(tmp_path / "absent.png") == "missing"


def test_check_passes_then_names_each_problem(build_dir):
    out = paths.Run("smoke", "data")
    claims = _fabricate(out)
    assert check.check(["data"], run=False) == []

    out.figure("genres").unlink()
    _image(out.figure("ratings"), kind="blank")
    changed = [c for c in claims if c.id != "ml100k_users"]
    changed[0].ours += 1  # ml100k_ratings: 100,001
    save(changed, out.claims)
    problems = check.check(["data"], run=False)
    assert any("figure genres is missing" in p for p in problems)
    assert any("figure ratings is blank" in p for p in problems)
    assert any("claim ml100k_ratings drifted: 100,001 now, reference 100,000" in p for p in problems)
    assert any("claim ml100k_users was not recorded" in p for p in problems)
    assert len(problems) == 4
    drift = next(p for p in problems if "drifted" in p)
    assert ("CPU kernels" in drift) == (kernel_environment("smoke") == {})  # the reference's kernels: no remark
    stamp = json.loads(out.stamp.read_text())
    out.stamp.write_text(json.dumps({**stamp, "kernels": "the machine's own"}))  # another processor
    drift = next(p for p in check.check(["data"], run=False) if "drifted" in p)
    assert "this run's CPU kernels: the machine's own; the reference's: the AVX2 kernels" in drift


def test_check_reports_but_does_not_compare_timing_claims(build_dir, monkeypatch, tmp_path, capsys):
    out = paths.Run("smoke", "data")
    claims = _fabricate(out)
    reference = json.loads(check.reference_path("data").read_text())
    reference["ml100k_ratings"]["regen"] = {"rel": 0.0, "abs": 0.0, "timing": True}  # as if it were a wall time
    monkeypatch.setattr(paths, "REFERENCES", tmp_path / "refs")
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "data.json").write_text(json.dumps(reference))
    for claim in claims:
        if claim.id in ("ml100k_ratings", "ml100k_users"):
            claim.ours += 7
            claim.verdict = "not replicated"
    save(claims, out.claims)
    problems = check.check(["data"], run=False)
    assert len(problems) == 1 and "ml100k_users drifted" in problems[0]  # the ordinary claim is still compared
    assert "claim ml100k_ratings is a timing" in capsys.readouterr().out


def test_check_without_reference_says_how_to_write_one(build_dir, monkeypatch, tmp_path):
    _fabricate(paths.Run("smoke", "data"))
    monkeypatch.setattr(paths, "REFERENCES", tmp_path / "refs")
    problems = check.check(["data"], run=False)
    assert problems and all("--update-reference" in p for p in problems)


def test_check_refuses_outputs_of_other_parameters(build_dir):
    out = paths.Run("smoke", "data")
    _fabricate(out)
    stamp = json.loads(out.stamp.read_text())
    stamp["parameters"]["seed"] = 5
    out.stamp.write_text(json.dumps(stamp))
    problems = check.check(["data"], run=False)
    assert len(problems) == 1 and "not the smoke defaults" in problems[0]
    with pytest.raises(ReplicateError, match="not the smoke defaults"):
        check.update_reference("data", out.dir)


def test_update_reference_writes_what_check_then_accepts(build_dir, monkeypatch, tmp_path):
    out = paths.Run("smoke", "data")
    _fabricate(out)
    monkeypatch.setattr(paths, "REFERENCES", tmp_path / "refs")
    written = check.update_reference("data", out.dir)
    assert written == tmp_path / "refs" / "data.json"
    assert json.loads(written.read_text()) == json.loads((paths.NOTEBOOKS / "reference" / "data.json").read_text())
    assert check.check(["data"], run=False) == []


def test_check_reports_a_changed_paper_value_rule_or_null(build_dir, monkeypatch, tmp_path):
    out = paths.Run("smoke", "data")
    _fabricate(out)
    reference = json.loads(check.reference_path("data").read_text())
    first = next(iter(reference))
    reference[first] = {**reference[first], "paper": 12345, "rule": {"type": "AtMost", "bound": 1.0}, "null": "x"}
    monkeypatch.setattr(paths, "REFERENCES", tmp_path / "refs")
    (tmp_path / "refs").mkdir()
    (tmp_path / "refs" / "data.json").write_text(json.dumps(reference))
    problems = check.check(["data"], run=False)
    assert any(f"claim {first}'s paper value changed" in p and "reference 12,345" in p for p in problems)
    assert any(f"claim {first}'s rule changed" in p for p in problems)
    assert any(f"claim {first}'s null changed" in p for p in problems)


def test_check_goes_on_after_a_failing_notebook(build_dir, monkeypatch):
    def failing(name, profile):
        raise ReplicateError(f"notebook {name} failed in cell 3")

    monkeypatch.setattr(runner, "run", failing)
    problems = check.check(None, run=True)
    assert [p.split(":")[0] for p in problems] == runner.available()
    assert all("failed in cell 3" in p for p in problems)


def test_corrupt_claims_file_is_named(build_dir):
    out = paths.Run("smoke", "data")
    _fabricate(out)
    out.claims.write_text("{not json")
    problems = check.check(["data"], run=False)
    assert any(str(out.claims) in p and "not a valid claims file" in p for p in problems)


def test_non_literal_parameter_is_a_clear_error(tmp_path):
    notebook = tmp_path / "nb.py"
    notebook.write_text('# %% tags=["parameters"]\nprofile = "smoke"\nepochs = 10 if profile == "paper" else 1\n')
    with pytest.raises(ReplicateError, match="epochs must be a plain literal"):
        runner.parameters(notebook)


def test_relative_data_dir_is_made_absolute(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mydata").mkdir()
    params = runner.resolve_parameters(DATA, "smoke", {"data_dir": "mydata"})
    assert params["data_dir"] == str(tmp_path / "mydata")


def test_stamp_and_dependencies_decide_freshness(tmp_path, monkeypatch):
    notebook = tmp_path / "nb.py"
    notebook.write_text("# %%\nx = 1\n")
    stamp = runner.stamp_of(notebook, {"seed": 0})
    module = paths.REPO / "replicate" / "core" / "claims.py"
    out = paths.Run("smoke", "nb", folder=tmp_path / "out")
    out.dir.mkdir()
    out.notebook.write_text("{}")
    out.stamp.write_text(json.dumps({"stamp": stamp}))
    out.dependencies.write_text(
        json.dumps({"replicate/core/claims.py": hashlib.sha256(module.read_bytes()).hexdigest()})
    )
    assert runner.is_fresh(out, stamp)
    out.dependencies.write_text(json.dumps({"replicate/core/claims.py": "0" * 64}))
    assert not runner.is_fresh(out, stamp)  # a module the run used has changed
    out.dependencies.write_text(json.dumps({}))
    notebook.write_text("# %%\nx = 2\n")
    assert runner.stamp_of(notebook, {"seed": 0}) != stamp  # an edit to the notebook changes the stamp
    out.stamp.write_text("{broken")
    assert not runner.is_fresh(out, stamp)


def test_only_notebooks_with_a_header_are_chapters(tmp_path, monkeypatch):
    (tmp_path / "helper.py").write_text("x = 1\n")
    (tmp_path / "data.py").write_text(DATA.read_text())
    monkeypatch.setattr(paths, "NOTEBOOKS", tmp_path)
    assert runner.available() == ["data"]


def test_every_chapter_is_in_the_book():
    from replicate.core.site import toc_chapters

    assert sorted(toc_chapters()) == runner.available()


def test_repeated_heading_with_claims_is_refused(tmp_path):
    import nbformat

    from replicate.core.chapter import cell_key

    nb = nbformat.v4.new_notebook()
    code = "ch.record('a', 1)"
    nb.cells = [
        nbformat.v4.new_markdown_cell("## Results"),
        nbformat.v4.new_code_cell(code),
        nbformat.v4.new_markdown_cell("## Results"),
        nbformat.v4.new_code_cell("pass"),
    ]
    nbformat.write(nb, tmp_path / "nb.ipynb")
    out = paths.Run("smoke", "nb", folder=tmp_path)
    save([Claim("nb", "a", "a", 1, 1, "equal", "replicated", source="x", cell=cell_key(code))], out.claims)
    with pytest.raises(ReplicateError, match="occur twice .*Results"):
        runner._finalise(out)


def test_a_claims_why_section_must_be_a_heading_and_gets_its_anchor(tmp_path):
    import nbformat

    from replicate.core.chapter import cell_key
    from replicate.core.claims import load
    from replicate.errors import ReplicateError

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("## Results"), nbformat.v4.new_code_cell("x = 1")]
    nb.cells += [nbformat.v4.new_markdown_cell("### Why it may fail"), nbformat.v4.new_code_cell("y = 2")]
    out = paths.Run("smoke", "x", folder=tmp_path)
    executed, claims_file = out.notebook, out.claims
    nbformat.write(nb, executed)
    save([Claim.make("x", "a", "a", 1, 2, Exact(), cell=cell_key("x = 1"), why="Why it may fail")], claims_file)
    runner._finalise(out)
    (claim,) = load(claims_file)
    assert claim.anchor == "results" and claim.why_anchor == "why-it-may-fail"
    save([Claim.make("x", "a", "a", 1, 2, Exact(), cell=cell_key("x = 1"), why="Why not")], claims_file)
    with pytest.raises(ReplicateError, match="'Why not' as its Why section, which is no heading"):
        runner._finalise(out)


def test_a_seed_reusing_seed_0s_choice_is_stale_once_seed_0_chooses_otherwise(build_dir):
    first = Chapter("data", profile="smoke", seed=0)
    assert first.chosen("grid") is None  # seed 0 searches
    first.choose("grid", {"beta": 1.0})
    other = Chapter("data", profile="smoke", seed=1)
    assert other.chosen("grid") == {"beta": 1.0}
    out = other.run
    assert json.loads(out.chosen.read_text()) == {"grid": {"beta": 1.0}}
    notebook = build_dir / "nb.py"
    notebook.write_text("# %%\nx = 1\n")
    stamp = runner.stamp_of(notebook, {"seed": 1})
    out.notebook.write_text("{}")
    out.stamp.write_text(json.dumps({"stamp": stamp}))
    out.dependencies.write_text(json.dumps({}))
    assert runner.is_fresh(out, stamp)
    first.choose("grid", {"beta": 2.0})  # seed 0 ran again and chose another configuration
    assert not runner.is_fresh(out, stamp)
    first.choose("grid", {"beta": 1.0})
    assert runner.is_fresh(out, stamp)
    (build_dir / "smoke" / "choices" / "data.json").unlink()
    assert not runner.is_fresh(out, stamp)


def test_a_killed_runs_leftovers_are_cleared_and_live_ones_kept(tmp_path):
    """SIGKILL skips a run's own cleanup: the next run of that seed removes the dead process's attempt folder and puts
    back the outputs a kill parked between two renames; a live process's folder and another machine's stay."""
    import subprocess

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    host, final = runner._host(), tmp_path / "seed-0"
    killed = tmp_path / f".seed-0.running-{host}-{dead.pid}-x1"
    live = tmp_path / f".seed-0.running-{host}-{os.getpid()}-x2"
    elsewhere = tmp_path / f".seed-0.running-other_host-{dead.pid}-x3"
    parked = tmp_path / f".seed-0.old-{host}-{dead.pid}"
    other_seed = tmp_path / f".seed-01.running-{host}-{dead.pid}-x4"
    for folder in (killed, live, elsewhere, parked, other_seed):
        folder.mkdir()
    paths.Run("smoke", "data", folder=parked).claims.write_text("[]")
    assert runner.clear_dead_attempts(final) == [killed]
    assert not killed.exists() and live.is_dir() and elsewhere.is_dir() and other_seed.is_dir()
    assert (
        paths.Run("smoke", "data", folder=final).claims.is_file() and not parked.exists()
    )  # the previous outputs are back
    parked.mkdir()  # once new outputs are in place, parked ones are removed
    assert runner.clear_dead_attempts(final) == [parked] and final.is_dir()


def test_a_tested_cause_tags_a_recorded_claim(build_dir):
    from replicate.core.claims import load

    ch = Chapter("data", profile="smoke")
    ch.record("ml1m_genres", 17)  # a miss: ML-1M has 18 genres
    with pytest.raises(ReplicateError, match="miss cause must be one of"):
        ch.miss_cause("ml1m_genres", "bad luck")
    with pytest.raises(ReplicateError, match="not recorded yet"):
        ch.miss_cause("ml100k_genres", "budget")
    ch.miss_cause("ml1m_genres", "data substitute")
    assert load(ch.run.claims)[0].miss_cause == "data substitute"


def test_a_recorded_claim_is_read_by_its_id(build_dir):
    ch = Chapter("data", profile="smoke")
    ch.record("ml1m_genres", 17)
    ch.record("ml100k_users", 943)
    assert ch.recorded("ml1m_genres").ours == 17 and ch.recorded("ml100k_users").ours == 943
    assert ch.recorded("ml1m_genres").verdict != ch.recorded("ml100k_users").verdict
    with pytest.raises(ReplicateError, match="not recorded yet"):
        ch.recorded("ml1m_users")
