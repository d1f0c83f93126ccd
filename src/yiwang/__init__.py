"""yiwang (一网): a one-network government services platform."""

__version__ = "0.1.0"
