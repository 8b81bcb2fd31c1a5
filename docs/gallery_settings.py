"""Command-line arguments sphinx-gallery gives each script it runs for the docs.

The example scripts train for real when run by hand; during the docs build
they get small settings so that the whole build stays within a few minutes.
Kept in a module (not in ``conf.py``) so Sphinx can pickle the configuration.
"""
from pathlib import Path

# script file name -> arguments, as they would be typed after ``python script.py``
SMALL_SETTINGS = {}


def small_settings(gallery_conf, script_vars):
    """The arguments for the script at ``script_vars["src_file"]`` (none by default)."""
    return list(SMALL_SETTINGS.get(Path(script_vars["src_file"]).name, []))
