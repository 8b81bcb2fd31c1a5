"""The documentation is kept true by tests.

* Every public name of the documented modules appears in the API reference
  (``docs/api/*.rst``): in an ``autosummary`` table, an ``auto*``/``data``
  directive, or as a cross-reference to the same object documented elsewhere.
* Every public method and attribute of ``Tensor`` appears on its page.
* The "for torch users" page (``docs/torch_users.rst``) names only things
  that exist, lists as missing only things that are missing, and its
  examples run.
* Every docstring example of every module runs (doctest).
* The whole site builds with ``sphinx-build -W`` (every tutorial and example
  is executed): slow, but it is the check that a page still runs.
"""
from __future__ import annotations

import doctest
import importlib
import inspect
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import nanotorch

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
API = DOCS / "api"

# The modules whose every public name must be in the API reference, with a docstring
# that has a ``>>>`` example.
DOCUMENTED_MODULES = [
    "nanotorch",
    "nanotorch.autograd",
    "nanotorch.backends",
    "nanotorch.nn",
    "nanotorch.nn.functional",
    "nanotorch.nn.init",
    "nanotorch.nn.utils",
    "nanotorch.nn.utils.clip_grad",
    "nanotorch.nn.utils.rnn",
    "nanotorch.optim",
    "nanotorch.optim.lr_scheduler",
    "nanotorch.utils.data",
    "nanotorch.datasets",
    "nanotorch.profiler",
]


def public_names(module):
    """``__all__`` if the module defines it, else its names without a leading underscore."""
    names = getattr(module, "__all__", None)
    if names is None:
        names = [n for n in vars(module) if not n.startswith("_")
                 and not inspect.ismodule(getattr(module, n))]
    return list(names)


def resolve(qualname):
    """The object a dotted name refers to, or None when it does not exist."""
    parts = qualname.split(".")
    for i in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:i]))
        except ImportError:
            continue
        try:
            for attr in parts[i:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return None
        return obj
    return None


_DIRECTIVE = re.compile(r"^([\s*-]*)\.\. (?:py:)?(\w+)::\s*(\S*)")  # also inside list-table cells
_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|data|mod|attr|obj):`~?([\w.]+)`")
_NAMED_ROLE = re.compile(r":(?:py:)?(?:func|class|meth|data|mod|attr|obj):`[^`<]*<~?([\w.]+)>`")


def documented_names(text):
    """The fully qualified names an rst page documents or links to.

    Follows ``currentmodule``/``module``/``automodule`` like Sphinx does, reads
    the entries of ``autosummary`` blocks, the targets of ``auto*``, ``data``,
    ``function``, ``class`` directives, and cross-reference roles.
    """
    names = set()
    module = ""
    in_autosummary = None  # indentation of the autosummary directive while inside one
    for line in text.splitlines():
        m = _DIRECTIVE.match(line)
        if in_autosummary is not None:
            stripped = line.strip()
            indent = len(line) - len(line.lstrip())
            if stripped and indent <= in_autosummary:
                in_autosummary = None
            elif stripped and not stripped.startswith(":") and not m:
                names.add(f"{module}.{stripped}" if module else stripped)
                continue
        if m:
            indent, kind, target = len(m.group(1)), m.group(2), m.group(3)
            if kind in ("currentmodule", "module"):
                module = target
            elif kind == "automodule":
                module = target
                names.add(target)
            elif kind == "autosummary":
                in_autosummary = indent
            elif kind in ("data", "function", "class", "attribute", "method", "exception",
                          "autofunction", "autoclass", "autodata", "automethod",
                          "autoattribute", "autoexception", "autoproperty"):
                if target:
                    names.add(target if target.startswith("nanotorch") or not module
                              else f"{module}.{target}")
        for target in _ROLE.findall(line) + _NAMED_ROLE.findall(line):
            names.add(target if target.startswith("nanotorch") or not module
                      else f"{module}.{target}")
    return names


def api_reference_names():
    names = set()
    for page in sorted(API.glob("*.rst")):
        names |= documented_names(page.read_text())
    return names


def _is_documented(module_name, name, documented, by_identity):
    qualname = f"{module_name}.{name}"
    if qualname in documented:
        return True
    obj = getattr(importlib.import_module(module_name), name)
    # A re-exported name counts when the same object is documented under its home module;
    # plain values (dtypes, numbers) must be documented under their own name.
    return (inspect.isclass(obj) or inspect.isroutine(obj) or inspect.ismodule(obj)) \
        and id(obj) in by_identity


@pytest.mark.parametrize("module_name", DOCUMENTED_MODULES)
def test_every_public_name_is_in_the_api_reference(module_name):
    module = importlib.import_module(module_name)
    documented = api_reference_names()
    by_identity = {id(obj) for obj in map(resolve, documented) if obj is not None}
    missing = [n for n in public_names(module)
               if not _is_documented(module_name, n, documented, by_identity)]
    assert not missing, (f"public names of {module_name} missing from docs/api/*.rst "
                         f"(add them to an autosummary table): {missing}")


def test_every_tensor_method_is_in_the_api_reference():
    documented = documented_names((API / "tensor.rst").read_text())
    missing = [n for n in dir(nanotorch.Tensor) if not n.startswith("_")
               and f"nanotorch.Tensor.{n}" not in documented]
    assert not missing, f"Tensor methods missing from docs/api/tensor.rst: {missing}"


def test_api_reference_names_exist():
    stale = sorted(n for n in api_reference_names() if n.startswith("nanotorch")
                   and resolve(n) is None)
    assert not stale, f"docs/api/*.rst name things that do not exist: {stale}"


# --- the page for torch users ---------------------------------------------------

TORCH_USERS = DOCS / "torch_users.rst"


def _section(text, label):
    """The text of the section that follows ``.. _label:`` up to the next label."""
    start = text.index(f".. _{label}:")
    end = text.find("\n.. _", start + 1)
    return text[start:end if end != -1 else None]


_NAME = re.compile(r"``((?:nanotorch|Tensor)(?:\.\w+)+)``")


def _listed(section):
    """Dotted names written as ``nanotorch.x`` or ``Tensor.x`` in a section."""
    return sorted(set(_NAME.findall(section)))


def _obj(name):
    return resolve("nanotorch." + name if name.startswith("Tensor.") else name)


def test_torch_users_page_names_things_that_exist():
    text = TORCH_USERS.read_text()
    for label in ("torch-same", "torch-differs", "torch-extras"):
        listed = _listed(_section(text, label))
        assert listed, f"section {label} lists no names"
        absent = [n for n in listed if _obj(n) is None]
        assert not absent, f"torch_users.rst ({label}) names things nanotorch lacks: {absent}"


def test_torch_users_page_lists_missing_things_that_are_missing():
    listed = _listed(_section(TORCH_USERS.read_text(), "torch-missing"))
    assert len(listed) > 20
    present = [n for n in listed if _obj(n) is not None]
    assert not present, ("torch_users.rst lists as missing names that now exist; move them "
                         f"out of the 'missing' section: {present}")


def test_torch_users_page_lists_every_name_torch_lacks():
    """nanotorch's own additions (names torch does not have) are all explained on the page."""
    torch = pytest.importorskip("torch")
    extras = _listed(_section(TORCH_USERS.read_text(), "torch-extras"))
    unexplained = []
    for module_name in DOCUMENTED_MODULES:
        torch_module = resolve(module_name.replace("nanotorch", "torch", 1)) \
            if module_name != "nanotorch" else torch
        if module_name.startswith("nanotorch.datasets") or module_name == "nanotorch.backends":
            continue  # nanotorch-only modules, explained as a whole
        for name in public_names(importlib.import_module(module_name)):
            if torch_module is None or not hasattr(torch_module, name):
                if f"{module_name}.{name}" not in extras:
                    unexplained.append(f"{module_name}.{name}")
    for name in dir(nanotorch.Tensor):
        if not name.startswith("_") and not hasattr(torch.Tensor, name) \
                and f"Tensor.{name}" not in extras:
            unexplained.append(f"Tensor.{name}")
    assert not unexplained, f"add these to the extras section of torch_users.rst: {unexplained}"


def test_torch_users_page_examples_run():
    result = doctest.testfile(str(TORCH_USERS), module_relative=False, verbose=False,
                              optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.attempted > 0 and result.failed == 0


# --- docstring examples -----------------------------------------------------------



@pytest.mark.parametrize("module_name", DOCUMENTED_MODULES)
def test_every_public_callable_has_an_example(module_name):
    module = importlib.import_module(module_name)
    lacking = []
    for name in public_names(module):
        obj = getattr(module, name)
        if inspect.ismodule(obj) or not callable(obj):
            continue
        if ">>>" not in (inspect.getdoc(obj) or ""):
            lacking.append(name)
    assert not lacking, f"{module_name}: docstrings without a >>> example: {lacking}"


def _modules():
    names = ["nanotorch"]
    for info in pkgutil.walk_packages(nanotorch.__path__, "nanotorch."):
        names.append(info.name)
    return sorted(names)


@pytest.mark.parametrize("module_name", _modules())
def test_docstring_examples_run(module_name):
    try:
        module = importlib.import_module(module_name)
    except ImportError as err:
        # Only a backend whose package is absent here (cupy on a CPU machine) may be skipped.
        pytest.skip(f"{module_name} needs a package that is not installed: {err}")
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    state = (nanotorch.get_default_dtype(), nanotorch.get_default_backend())
    try:
        for test in finder.find(module, module_name, module=module):
            runner.run(test)
    finally:
        nanotorch.set_default_dtype(state[0])
        nanotorch.backends._default = state[1]
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} docstring example(s) of {module_name} failed"


# --- the whole site -----------------------------------------------------------------

@pytest.mark.slow
def test_sphinx_build_has_no_warnings(tmp_path):
    """``sphinx-build -W``: every page renders, every tutorial and example runs."""
    # Build a copy: the build writes generated pages next to its sources, and a copy
    # keeps those of an earlier build (or of a build running at the same time) out.
    skip = shutil.ignore_patterns("_build", "generated", "auto_tutorials", "auto_examples",
                                  "sg_execution_times.rst", "__pycache__", "runs")
    shutil.copytree(DOCS, tmp_path / "docs", ignore=skip)
    if (ROOT / "examples").is_dir():
        shutil.copytree(ROOT / "examples", tmp_path / "examples", ignore=skip)
    env = dict(os.environ, MPLBACKEND="Agg", PYTHONHASHSEED="0")
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
         "-d", str(tmp_path / "doctrees"), str(tmp_path / "docs"), str(tmp_path / "html")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900)
    elapsed = time.perf_counter() - start
    assert proc.returncode == 0, f"sphinx-build failed:\n{proc.stdout[-5000:]}\n{proc.stderr[-10000:]}"
    assert (tmp_path / "html" / "index.html").is_file()
    print(f"docs built in {elapsed:.0f} s")
