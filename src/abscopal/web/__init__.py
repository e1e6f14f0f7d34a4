"""Web UI (shell): server-rendered pages for sites, reviewers and statisticians.

Mounted into the service app: ``create_web_app(settings)`` or ``mount_web(create_app(...))``.
"""

from abscopal.web.app import app_from_env, create_web_app, mount_web

__all__ = ["app_from_env", "create_web_app", "mount_web"]
