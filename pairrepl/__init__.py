"""pairrepl: a stateful REPL for pair programming with an AI, where the human stays the engineer."""

__version__ = "0.1.0"

__all__ = ["__version__"]
