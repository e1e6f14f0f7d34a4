"""REST API (shell): ``create_app(settings)`` builds the FastAPI app."""

from abscopal.api.main import create_app

__all__ = ["create_app"]
