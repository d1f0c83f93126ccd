"""Training the routing model: the shipped dispatch history (definitions/complaints/) plus the
dispatch centre's re-routings, checked against the held-out tickets."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

from yiwang.complaints import routing


@dataclasses.dataclass(frozen=True)
class Trained:
    """A model and what it was trained and measured on."""

    model: routing.Model
    examples: int
    corrections: int
    heldout_accuracy: float


def train_with(definitions_dir: Path, corrections: list[routing.Example]) -> Trained:
    """Train on the history and these re-routings; measure on the held-out tickets."""
    folder = definitions_dir / "complaints"
    examples = routing.load_examples(folder / "history.csv") + list(corrections)
    model = routing.train(examples)
    heldout = routing.load_examples(folder / "heldout.csv")
    return Trained(model, len(examples), len(corrections), routing.accuracy(model, heldout))


@functools.lru_cache(maxsize=4)
def shipped(definitions_dir: Path) -> routing.Model:
    """The model of the shipped history alone, trained once per process: what a server routes
    with until `yiwang complaints retrain` has stored one (`make run` stores one)."""
    return routing.train(routing.load_examples(definitions_dir / "complaints" / "history.csv"))
