"""Sphinx configuration of the nanotorch documentation.

Build (from the repository root; every tutorial and example is executed)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

The tutorials (``docs/tutorials``) and the example scripts (``examples/``)
are run by sphinx-gallery with small settings so that the whole build stays
within a few minutes on two CPU cores.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # figures are rendered to files, never to a window

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))  # gallery_settings

import nanotorch  # noqa: E402

project = "nanotorch"
author = "the nanotorch developers"
copyright = "the nanotorch developers"
release = version = nanotorch.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "tutorials/GALLERY_HEADER.rst", "Thumbs.db", ".DS_Store"]
root_doc = "index"

# -- API reference ------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_member_order = "bysource"
autodoc_typehints = "none"  # signatures show argument names and defaults, like torch's docs
autodoc_preserve_defaults = True
add_module_names = False
python_use_unqualified_type_names = True

# -- Tutorials and the example gallery -----------------------------------------
# (source folder, output folder); small settings for the examples: gallery_settings.py
_galleries = [("tutorials", "auto_tutorials"), (os.path.join("..", "examples"), "auto_examples")]


sphinx_gallery_conf = {
    "examples_dirs": [src for src, _ in _galleries],
    "gallery_dirs": [dst for _, dst in _galleries],
    # every .py file in a gallery folder is a page; helper modules start with "_"
    "filename_pattern": r".*\.py$",
    "ignore_pattern": r"(__init__|/_[^/]*)\.py$",
    "within_subsection_order": "gallery_settings.ExampleOrder",
    "reset_argv": "gallery_settings.small_settings",
    "abort_on_example_error": True,
    "download_all_examples": False,
    "remove_config_comments": True,
    "min_reported_time": 1,
    "show_signature": False,
    "matplotlib_animations": False,
    "image_scrapers": ("matplotlib", "gallery_settings.png_scraper"),
    "first_notebook_cell": None,
    # show what the scripts print, not the repr of a last bare expression
    "capture_repr": (),
}



def setup(app):
    from gallery_settings import add_example_titles

    app.connect("source-read", add_example_titles)


# -- HTML -----------------------------------------------------------------------
html_theme = "furo"
html_title = f"nanotorch {release}"
html_static_path = ["_static"]
html_css_files = ["nanotorch.css"]
html_show_sourcelink = False
pygments_style = "friendly"
pygments_dark_style = "monokai"
html_theme_options = {
    "navigation_with_keys": True,
}
