"""environment.yml (conda) and pyproject.toml (pip) list the same packages at the same versions."""

import tomllib

import yaml

from replicate import paths


def _pins(requirements):
    pins = {}
    for requirement in requirements:
        name, sep, version = requirement.partition("==")
        assert sep, f"{requirement!r} is not pinned with =="
        pins[name.strip().lower()] = version.strip()
    return pins


def test_environment_matches_pyproject():
    project = tomllib.loads((paths.REPO / "pyproject.toml").read_text())["project"]
    pip_pins = _pins(project["dependencies"] + project["optional-dependencies"]["test"])
    env = yaml.safe_load((paths.REPO / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert _pins(pip_section) == pip_pins
    assert pip_pins["torch"] == "2.13.0"  # the CPU wheel on local disk; an unpinned torch pulls a CUDA build
    python = next(d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python="))
    assert python == "python=3.11" and project["requires-python"] == ">=3.11,<3.12"
