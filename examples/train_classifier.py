"""Train the lecture's network on a toy 2-D dataset: the main job of nanotorch.

The model is the one from the lecture's "Training" part,

    Linear(2, H) -> ReLU -> Linear(H, H) -> ReLU -> Linear(H, 1) -> sigmoid,

trained with binary cross-entropy and SGD (with momentum) on one of the
six point sets of ``nanotorch.datasets``: simple, diag, split, xor, circle
and spiral. It is an ordinary PyTorch script with one changed import:
``import nanotorch as torch``.

    python examples/train_classifier.py                      # split, the defaults
    python examples/train_classifier.py --dataset spiral
    python examples/train_classifier.py --epochs 3000 --resume  # continue a run

With the defaults (200 points, H=32, batches of 50, lr 0.05, momentum 0.9,
2000 epochs) every set reaches at least 99% training accuracy in a few
seconds on a laptop CPU.

Written to ``--out`` (default ``runs/<dataset>``): ``<dataset>.png`` (the
decision boundary over the points, and the loss curve) and
``checkpoint.safetensors`` (model, optimizer, epoch and loss history),
which ``--resume`` continues from.
"""
from __future__ import annotations

import argparse
import os
import time

import nanotorch as torch
from nanotorch import nn
from nanotorch.datasets import DATASETS, load
from nanotorch.utils.data import DataLoader, TensorDataset


class Network(nn.Module):
    """The lecture's three-layer network: (batch, 2) points -> (batch,) probabilities."""

    def __init__(self, hidden):
        super().__init__()
        self.layer1 = nn.Linear(2, hidden)
        self.layer2 = nn.Linear(hidden, hidden)
        self.layer3 = nn.Linear(hidden, 1)

    def forward(self, x):
        h = self.layer1(x).relu()
        h = self.layer2(h).relu()
        return self.layer3(h).sigmoid().view(-1)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", default="split", choices=sorted(DATASETS),
                        help="which point set to learn (default: split)")
    parser.add_argument("--n", type=int, default=200, help="number of points (default: 200)")
    parser.add_argument("--hidden", type=int, default=32, help="hidden size H (default: 32)")
    parser.add_argument("--lr", type=float, default=0.05,
                        help="SGD learning rate (default: 0.05)")
    parser.add_argument("--momentum", type=float, default=0.9,
                        help="SGD momentum (default: 0.9)")
    parser.add_argument("--epochs", type=int, default=2000,
                        help="total number of epochs, counting resumed ones (default: 2000)")
    parser.add_argument("--batch-size", type=int, default=50,
                        help="points per SGD step (default: 50)")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of the data, the initial weights and the shuffling")
    parser.add_argument("--out", default=None,
                        help="directory for the figure and checkpoint (default: runs/<dataset>)")
    parser.add_argument("--resume", action="store_true",
                        help="continue from the checkpoint in --out")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def accuracy(model, X, y):
    """Fraction of points whose thresholded prediction matches the label."""
    with torch.no_grad():
        return ((model(X) > 0.5).float() == y).float().mean().item()


def plot(model, X, y, losses, path, title):
    """Save the decision boundary over the points (left) and the loss curve (right)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = 200
    grid = torch.linspace(0.0, 1.0, steps)
    gx = grid.view(1, -1).expand(steps, steps)
    gy = grid.view(-1, 1).expand(steps, steps)
    points = torch.stack([gx.reshape(-1), gy.reshape(-1)], dim=1)
    with torch.no_grad():
        prob = model(points).view(steps, steps).numpy()

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5))
    left.contourf(grid.numpy(), grid.numpy(), prob, levels=20, cmap="RdBu_r", vmin=0, vmax=1,
                  alpha=0.6)
    left.contour(grid.numpy(), grid.numpy(), prob, levels=[0.5], colors="k", linewidths=1)
    Xn, yn = X.numpy(), y.numpy()
    left.scatter(Xn[:, 0], Xn[:, 1], c=yn, cmap="RdBu_r", vmin=0, vmax=1, edgecolors="k", s=18)
    left.set(xlim=(0, 1), ylim=(0, 1), aspect="equal", title=title)
    right.plot(range(1, len(losses) + 1), losses)
    right.set(xlabel="epoch", ylabel="mean BCE loss", yscale="log", title="training loss")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def main(argv=None):
    """Train, print the final accuracy, save the figure and checkpoint; returns a summary dict."""
    args = parse_args(argv)
    out = args.out or os.path.join("runs", args.dataset)
    os.makedirs(out, exist_ok=True)
    ckpt_path = os.path.join(out, "checkpoint.safetensors")

    torch.manual_seed(args.seed)
    X, y = load(args.dataset, args.n, args.seed)
    model = Network(args.hidden)
    optimizer = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=args.momentum)
    loss_fn = nn.BCELoss()
    shuffle = torch.Generator().manual_seed(args.seed)
    loader = DataLoader(TensorDataset(X, y), batch_size=args.batch_size, shuffle=True,
                        generator=shuffle)

    start, losses = 0, []
    if args.resume:
        if not os.path.exists(ckpt_path):
            raise SystemExit(f"--resume: no checkpoint at {ckpt_path}")
        state = torch.load(ckpt_path)
        if state["dataset"] != args.dataset or state["hidden"] != args.hidden:
            raise SystemExit(f"--resume: the checkpoint is for --dataset {state['dataset']} "
                             f"--hidden {state['hidden']}")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        shuffle.set_state(state["shuffle_state"])
        start, losses = state["epoch"], list(state["losses"])

    from tqdm import tqdm
    began = time.perf_counter()
    bar = tqdm(range(start, args.epochs), desc=args.dataset, disable=args.quiet,
               initial=start, total=args.epochs)
    for _ in bar:
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(yb)
        losses.append(total / len(y))
        bar.set_postfix(loss=f"{losses[-1]:.4f}", acc=f"{accuracy(model, X, y):.1%}", refresh=False)
    seconds = time.perf_counter() - began

    acc = accuracy(model, X, y)
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epoch": args.epochs, "losses": losses, "dataset": args.dataset,
                "hidden": args.hidden, "shuffle_state": shuffle.get_state()}, ckpt_path)
    figure = os.path.join(out, f"{args.dataset}.png")
    plot(model, X, y, losses, figure, f"{args.dataset}: accuracy {acc:.1%}")
    print(f"final training accuracy on {args.dataset}: {acc:.1%} "
          f"({round(acc * len(y))}/{len(y)} points, {args.epochs} epochs, {seconds:.1f} s)")
    return {"accuracy": acc, "losses": losses, "seconds": seconds, "figure": figure,
            "checkpoint": ckpt_path}


if __name__ == "__main__":
    main()
