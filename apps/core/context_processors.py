from django.conf import settings


def navigation(request):
    """What the layout needs on every page: the site's name, and the project switcher's list (the user's
    projects, fetched once per page render)."""
    context = {"SITE_NAME": settings.SITE_NAME}
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return context

    def switcher():
        from django.apps import apps

        Project = apps.get_model("projects", "Project")
        return list(Project.objects.for_user(request.user).filter(archived=False).only("name", "slug")[:20])

    # Lazy: pages that never render the switcher (JSON, redirects) never query.
    from django.utils.functional import SimpleLazyObject

    context["nav_projects"] = SimpleLazyObject(switcher)
    return context
