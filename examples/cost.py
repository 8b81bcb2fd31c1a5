"""How much does it cost? One training step of two networks, counted op by op and layer by layer.

The lecture asks what a training step costs, in operations and in memory.
``nanotorch.profiler.profile`` answers by counting every op and every
module call inside a ``with`` block: calls, FLOPs, bytes allocated, the
peak of live memory and time, forward and backward apart. This script
prints those tables for

1. the lecture's network, Linear(2, 10) -> ReLU -> Linear(10, 10) -> ReLU
   -> Linear(10, 1) -> sigmoid, trained with binary cross-entropy on a
   batch of 2-D points;
2. the sentiment model: an Embedding of 50-d word vectors, mean pooling
   over each sentence's words, Linear(50, 100) -> ReLU -> Linear(100, 1)
   -> sigmoid, on a batch of token ids.

One SGD step of each runs inside the profile; the first step of a fresh
process also pays one-time costs (numba loading its compiled kernels), so
one step runs before the measured one.

    python examples/cost.py
    python examples/cost.py --batch 256
"""
from __future__ import annotations

import argparse

import nanotorch as torch
from nanotorch import nn
from nanotorch.profiler import profile


class Network(nn.Module):
    """The lecture's model: two hidden ReLU layers and a sigmoid output."""

    def __init__(self, features=2, hidden=10):
        super().__init__()
        self.layer1 = nn.Linear(features, hidden)
        self.layer2 = nn.Linear(hidden, hidden)
        self.layer3 = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.layer1(x).relu()
        h = self.layer2(h).relu()
        return self.layer3(h).sigmoid()


class Sentiment(nn.Module):
    """Word vectors averaged over a sentence, then a small MLP: (B, L) token ids -> (B, 1)."""

    def __init__(self, vocab=5000, dim=50, hidden=100):
        super().__init__()
        self.embed = nn.Embedding(vocab, dim)
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, 1)

    def forward(self, tokens):
        h = self.embed(tokens).mean(1)
        return self.fc2(self.fc1(h).relu()).sigmoid()


def step(model, optimizer, inputs, target):
    """One SGD step: forward, binary cross-entropy, backward, update."""
    optimizer.zero_grad()
    loss = nn.functional.binary_cross_entropy(model(inputs), target)
    loss.backward()
    optimizer.step()
    return loss


def report(title, model, inputs, target):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    step(model, optimizer, inputs, target)  # warm-up: one-time costs stay out of the table
    with profile() as prof:
        step(model, optimizer, inputs, target)
    params = sum(p.numel() for p in model.parameters())
    print(f"== {title}: {params} parameters, input {tuple(inputs.shape)} ==")
    print(prof.table())
    print()
    print(prof.table(by="module"))
    print()
    return prof


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, default=64, help="examples per step (default 64)")
    parser.add_argument("--length", type=int, default=20, help="words per sentence (default 20)")
    args = parser.parse_args(argv)
    torch.manual_seed(0)
    points = torch.rand(args.batch, 2) * 2 - 1
    labels = (points[:, :1] * points[:, 1:] > 0).float()  # the lecture's "xor" split
    report("the lecture's network", Network(), points, labels)
    tokens = torch.randint(0, 5000, (args.batch, args.length))
    sentiment_labels = (torch.rand(args.batch, 1) > 0.5).float()
    report("the sentiment model", Sentiment(), tokens, sentiment_labels)


if __name__ == "__main__":
    main()
