"""abscopal: design, run and analyse radiotherapy + immunotherapy clinical trials."""

__version__ = "0.1.0"

__all__ = ["__version__"]
