"""Train only when the training inputs changed: the model's name carries a hash of them."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

from bot.settings import PROJECT_ROOT

TRAINING_INPUTS = ("config.yml", "domain", "data")


def training_fingerprint(root: Path = PROJECT_ROOT) -> str:
    digest = hashlib.sha256()
    for name in TRAINING_INPUTS:
        base = root / name
        files = sorted(p for p in base.rglob("*") if p.is_file()) if base.is_dir() else [base]
        for path in files:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def model_path(root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / f"signpost-{training_fingerprint(root)}.tar.gz"


def is_trained(root: Path = PROJECT_ROOT) -> bool:
    return model_path(root).is_file()


def train(root: Path = PROJECT_ROOT, force: bool = False) -> Path:
    """Run ``rasa train`` when the current inputs have no model yet; returns the model file."""
    target = model_path(root)
    if target.is_file() and not force:
        return target
    cmd = [sys.executable, "-m", "rasa", "train", "--config", "config.yml", "--domain", "domain", "--data", "data",
           "--out", "models", "--fixed-model-name", target.name.removesuffix(".tar.gz")]
    if force:
        cmd.append("--force")
    subprocess.run(cmd, cwd=root, check=True)
    if not target.is_file():
        raise RuntimeError(f"rasa train finished but {target} is missing")
    return target
