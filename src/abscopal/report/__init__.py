"""Trial reports (HTML/PDF) and the figures shared with the web UI (shell)."""
