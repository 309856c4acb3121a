"""roster: duty rosters for cadres sent to village and community checkpoints."""

__version__ = "0.1.0"
