"""What the workspace's base template needs on every page."""

from django.utils.functional import SimpleLazyObject

from workspace import access


def workspace_roles(request) -> dict:
    """`is_manager` for the nav's dashboard link. Lazy, and the roles are cached on the user
    by the view's own access check, so a page costs no query for it."""
    return {"is_manager": SimpleLazyObject(lambda: access.is_manager(request.user))}
