"""Command-line interface (shell)."""
