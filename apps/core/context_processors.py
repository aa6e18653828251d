def navigation(request):
    """The project switcher's list: the user's projects, fetched once per page render."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}

    def switcher():
        from django.apps import apps

        Project = apps.get_model("projects", "Project")
        return list(Project.objects.for_user(request.user).filter(archived=False).only("name", "slug")[:20])

    # Lazy: pages that never render the switcher (JSON, redirects) never query.
    from django.utils.functional import SimpleLazyObject

    return {"nav_projects": SimpleLazyObject(switcher)}
