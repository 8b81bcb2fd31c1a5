"""How sphinx-gallery runs the example scripts of ``examples/`` for the docs.

The examples are ordinary command-line programs: they train for real when run
by hand, write their figures to ``--out`` as PNG files and close them. For the
docs build each gets small settings (command-line arguments), its output
folder is a fresh temporary one, and :func:`png_scraper` puts the PNG files
it wrote on its page. Kept in a module (not in ``conf.py``) so that Sphinx can
pickle the configuration.
"""
import ast
import shutil
import tempfile
from pathlib import Path

OUT = Path(tempfile.mkdtemp(prefix="nanotorch-docs-examples-"))

# script -> (page title, arguments as typed after ``python script.py``); "{out}" is
# replaced by the script's own output folder
EXAMPLES = {
    "train_classifier.py": ("Training a classifier on the lecture's toy data",
                            ["--epochs", "300", "--quiet", "--out", "{out}"]),
    "embeddings.py": ("Word vectors up close", ["--export", "1000", "--out", "{out}"]),
    "sentiment.py": ("Sentence sentiment from GloVe vectors",
                     ["--epochs", "2", "--limit", "3000", "--quiet", "--out", "{out}"]),
    "cost.py": ("What a training step costs", []),
}


def small_settings(gallery_conf, script_vars):
    """Arguments for the script at ``script_vars["src_file"]``: small sizes, output to a temp dir."""
    path = Path(script_vars["src_file"])
    name = path.name
    if name not in EXAMPLES:
        return []  # the tutorials take no arguments
    # sphinx-gallery blanks ``__doc__`` (it renders the docstring itself); the examples
    # build their ``--help`` text from it, so hand them their docstring back.
    script_vars["example_globals"]["__doc__"] = ast.get_docstring(ast.parse(path.read_text()))
    out = str(OUT / path.stem)
    return [arg.replace("{out}", out) for arg in EXAMPLES[name][1]]


_shown = set()


def png_scraper(block, block_vars, gallery_conf):
    """Put the PNG files an example wrote into its ``--out`` folder on its page."""
    from sphinx_gallery.scrapers import figure_rst

    folder = OUT / Path(block_vars["src_file"]).stem
    images = []
    for png in sorted(folder.glob("*.png")) if folder.is_dir() else ():
        if png in _shown:
            continue
        _shown.add(png)
        target = next(block_vars["image_path_iterator"])
        shutil.copyfile(png, target)
        images.append(target)
    return figure_rst(images, gallery_conf["src_dir"])


def add_example_titles(app, docname, source):
    """Make the examples' docstrings read well as pages.

    The scripts' docstrings are written for ``--help`` and for reading in an
    editor: they start with a sentence, not a title, and show commands as
    indented lines. Add the page title, and turn each indented block of the
    docstring into a literal block (rst would otherwise make it a quotation).
    """
    if not docname.startswith("auto_examples/"):
        return
    name = docname.split("/")[-1] + ".py"
    if name not in EXAMPLES:
        return
    title = EXAMPLES[name][0]
    label = f".. _sphx_glr_auto_examples_{name}:\n"
    text = source[0]
    if label not in text:
        return
    head, rest = text.split(label, 1)
    intro, marker, body = rest.partition(".. GENERATED FROM PYTHON SOURCE LINES")
    lines = []
    previous = ""
    for line in intro.splitlines():
        if line.startswith("    ") and not previous.strip() and lines and lines[-2:-1] != ["::"]:
            lines.extend(["::", ""])
        lines.append(line)
        previous = line
    intro = "\n".join(lines) + "\n"
    source[0] = f"{head}{label}\n{title}\n{'=' * len(title)}\n{intro}{marker}{body}"


class ExampleOrder:
    """Sort key of the example gallery: the order of :data:`EXAMPLES` (a lecture's order)."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        names = list(EXAMPLES)
        return (names.index(filename), filename) if filename in names else (len(names), filename)
