"""The one permission layer (ARCHITECTURE rule 1).

Roles are ordered viewer < member < maintainer < owner. ``project_access`` is the single place
that decides what a user (and, for API calls, their token) may do in a project:

* an outsider, an archived-and-hidden project, or a token not granted the project -> 404, so
  nobody can probe which slugs exist;
* a role below what the action needs -> 403 (e.g. a viewer writing);
* a read-only token writing -> 403.

The UI mixin (apps.core.views.ProjectMixin) and the DRF base classes (apps.core.api) both call it.
Core knows the project model only by its label, so it imports no domain app.
"""

from dataclasses import dataclass

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import TextChoices
from django.http import Http404


class Role(TextChoices):
    VIEWER = "viewer", "Viewer"
    MEMBER = "member", "Member"
    MAINTAINER = "maintainer", "Maintainer"
    OWNER = "owner", "Owner"


RANK = {Role.VIEWER: 1, Role.MEMBER: 2, Role.MAINTAINER: 3, Role.OWNER: 4}

# What each kind of action needs. Views name the kind; the rank lives here only.
READ, WRITE, MANAGE, ADMINISTER = Role.VIEWER, Role.MEMBER, Role.MAINTAINER, Role.OWNER


def _role_at_least(role: str | None, minimum: str) -> bool:
    return role is not None and RANK[Role(role)] >= RANK[Role(minimum)]


def _project_model():
    return apps.get_model("projects", "Project")


def _membership_model():
    return apps.get_model("projects", "Membership")


def visible_project_ids(user, token=None):
    """A subquery of ids of projects the user (through this token, if any) may see."""
    if not getattr(user, "is_authenticated", False):
        return _project_model().objects.none().values("id")
    memberships = _membership_model().objects.filter(user=user)
    # "All projects" is the token's explicit flag: a limited token whose projects are gone sees nothing.
    if token is not None and not token.all_projects:
        memberships = memberships.filter(project__in=token.projects.all())
    return memberships.values("project_id")


@dataclass(frozen=True)
class ProjectAccess:
    """A user's standing in one project: the project and their role there."""

    project: object
    role: str
    read_only_token: bool = False

    def can(self, minimum: str) -> bool:
        return self.refusal(minimum) is None

    def refusal(self, minimum: str) -> str | None:
        """Why this access can't do an action needing ``minimum``, or None if it can."""
        if not _role_at_least(self.role, minimum):
            return f"This needs the {Role(minimum).label.lower()} role or higher."
        if self.read_only_token and minimum != READ:
            return "This API token is read-only."
        # Archived projects keep their settings editable (to unarchive) but refuse content writes.
        if self.project.archived and minimum == WRITE:
            return "This project is archived; a maintainer can unarchive it in its settings."
        return None

    def require(self, minimum: str) -> None:
        reason = self.refusal(minimum)
        if reason:
            raise PermissionDenied(reason)

    def require_grant(self, role: str) -> None:
        """May this access give (or take away) ``role``? Maintainers manage members, but only an
        owner makes or unmakes owners."""
        self.require(MANAGE)
        if role == Role.OWNER and not _role_at_least(self.role, ADMINISTER):
            raise PermissionDenied("Only an owner can grant or change the owner role.")

    @classmethod
    def system(cls, project) -> "ProjectAccess":
        """Full standing for writes no member makes: the admin (staff), management commands, seeds."""
        return cls(project=project, role=Role.OWNER)

    @property
    def can_write(self) -> bool:
        return self.can(WRITE)

    @property
    def can_manage(self) -> bool:
        return self.can(MANAGE)

    @property
    def is_owner(self) -> bool:
        return self.can(ADMINISTER)


def project_access(user, slug: str, *, token=None, minimum: str = READ) -> ProjectAccess:
    """Resolve a project by slug for this user: 404 if they can't see it, 403 if their role is short."""
    if not getattr(user, "is_authenticated", False):
        raise Http404("No such project.")
    membership = (
        _membership_model()
        .objects.select_related("project")
        .filter(user=user, project__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such project.")
    if token is not None and not token.allows_project(membership.project):
        raise Http404("No such project.")
    access = ProjectAccess(
        project=membership.project,
        role=membership.role,
        read_only_token=bool(token is not None and token.read_only),
    )
    access.require(minimum)
    return access
