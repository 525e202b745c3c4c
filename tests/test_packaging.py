"""What a build or a Procfile platform reads: pyproject.toml's metadata and requirements.txt's pins."""

from __future__ import annotations

import tomllib

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from .conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_licence_is_an_spdx_expression_with_its_file() -> None:
    # The table form (`license = {text = ...}`) is deprecated; setuptools stops building it in 2027.
    project = PYPROJECT["project"]
    assert project["license"] == "MIT"
    assert project["license-files"] and all((ROOT / name).is_file() for name in project["license-files"])
    assert "MIT License" in (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert not any(c.startswith("License ::") for c in project.get("classifiers", []))  # PEP 639: not both


def test_build_requires_a_setuptools_that_understands_it() -> None:
    (setuptools,) = [Requirement(r) for r in PYPROJECT["build-system"]["requires"] if r.startswith("setuptools")]
    assert not setuptools.specifier.contains("76.1") and setuptools.specifier.contains("77.0.1")


def test_requirements_pin_every_runtime_dependency_within_its_range() -> None:
    pins = {}
    for line in (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            (spec,) = requirement.specifier
            assert spec.operator == "==", line  # a platform installs exactly what was tested
            pins[canonicalize_name(requirement.name)] = spec.version
    for dependency in map(Requirement, PYPROJECT["project"]["dependencies"]):
        name = canonicalize_name(dependency.name)
        assert name in pins, f"requirements.txt lacks {dependency.name}: regenerate it (see its header)"
        assert dependency.specifier.contains(pins[name]), f"{name}=={pins[name]} is outside {dependency.specifier}"


def test_ci_runs_the_readmes_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    first_use = readme.split("## First use", 1)[1].split("\n## ", 1)[0]
    (command,) = [line.strip() for line in first_use.splitlines() if line.startswith("    ") and "pytest" in line]
    steps = [step.strip() for step in command.split("&&")]
    # Works where the system Python refuses `pip install`: a virtual environment first.
    assert steps[:2] == ["python3 -m venv .venv", ". .venv/bin/activate"], steps
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace(".ci-venv", ".venv").splitlines()
    for step in steps:
        assert any(line == step or line.endswith(step.replace("pip install", "pip install --quiet")) for line in ci), step
