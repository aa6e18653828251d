"""The one permission layer: project_access decides 404 / 403 / allowed for every door."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from apps.core.permissions import ADMINISTER, MANAGE, READ, WRITE, project_access
from apps.core.views import ProjectMixin
from apps.projects.models import Project

OK, FORBIDDEN, NOT_FOUND = "ok", 403, 404

MATRIX = {
    #             READ  WRITE      MANAGE     ADMINISTER
    "owner":      (OK, OK, OK, OK),
    "maintainer": (OK, OK, OK, FORBIDDEN),
    "member":     (OK, OK, FORBIDDEN, FORBIDDEN),
    "viewer":     (OK, FORBIDDEN, FORBIDDEN, FORBIDDEN),
    "outsider":   (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
}
LEVELS = (READ, WRITE, MANAGE, ADMINISTER)


def outcome(user, slug, **kwargs):
    try:
        project_access(user, slug, **kwargs)
    except Http404:
        return NOT_FOUND
    except PermissionDenied:
        return FORBIDDEN
    return OK


@pytest.mark.smoke
@pytest.mark.parametrize("role", list(MATRIX))
def test_role_matrix(users, project, role):
    got = tuple(outcome(users[role], project.slug, minimum=level) for level in LEVELS)
    assert got == MATRIX[role]


@pytest.mark.parametrize("role", ["owner", "maintainer", "member", "viewer"])
def test_archived_project_refuses_content_writes_but_not_settings(users, project, role):
    Project.objects.filter(pk=project.pk).update(archived=True)
    expected = MATRIX[role]
    assert outcome(users[role], project.slug, minimum=READ) == OK
    assert outcome(users[role], project.slug, minimum=WRITE) == FORBIDDEN
    assert outcome(users[role], project.slug, minimum=MANAGE) == expected[2]


def test_unknown_slug_and_anonymous_are_404(users, project):
    from django.contrib.auth.models import AnonymousUser

    assert outcome(users["owner"], "no-such-project") == NOT_FOUND
    assert outcome(AnonymousUser(), project.slug) == NOT_FOUND


def test_access_properties(users, project):
    access = project_access(users["maintainer"], project.slug)
    assert access.role == "maintainer" and access.project == project
    assert access.can_write and access.can_manage and not access.is_owner
    viewer = project_access(users["viewer"], project.slug)
    assert not viewer.can_write and not viewer.can_manage
    with pytest.raises(PermissionDenied):
        viewer.require(WRITE)


def test_visible_to_filters_scoped_rows(users, project, other_project):
    assert list(Project.objects.for_user(users["viewer"])) == [project]
    assert list(Project.objects.for_user(users["outsider"])) == [other_project]


@pytest.mark.parametrize(
    "role,permission,method,expected",
    [
        ("viewer", READ, "get", 200), ("viewer", WRITE, "get", 403), ("viewer", WRITE, "post", 403),
        ("member", WRITE, "get", 200), ("member", MANAGE, "get", 403), ("member", MANAGE, "post", 403),
        ("maintainer", MANAGE, "get", 200), ("outsider", READ, "get", 404), ("anonymous", READ, "get", 302),
    ],
)
def test_project_mixin_applies_the_layer_by_action(users, project, role, permission, method, expected):
    """The generic UI mixin every project page builds on: a page needs its action's role on every
    method, so a viewer can't even open a form (or a delete page) they couldn't submit."""
    from django.contrib.auth.models import AnonymousUser
    from django.http import HttpResponse
    from django.views import View

    class Probe(ProjectMixin, View):
        def get(self, request, *args, **kwargs):
            return HttpResponse("ok")

        post = get

    Probe.permission = permission
    request = getattr(RequestFactory(), method)(f"/projects/{project.slug}/probe/")
    request.user = users[role] if role != "anonymous" else AnonymousUser()
    try:
        response = Probe.as_view()(request, project_slug=project.slug)
        status = response.status_code
    except Http404:
        status = 404
    except PermissionDenied:
        status = 403
    assert status == expected
