"""Environment names: a stable slug for matching across sources, and the tier a name implies.

Tiers are ``production``, ``staging``, ``testing`` and ``development``. A name that matches no rule is
``development``: an unrecognised environment must never count towards production (DORA) figures, so
the safe guess is the least important tier. Callers with better knowledge (GitHub's
``production_environment: true``, GitLab's ``environment_tier``) override the guess.
"""

from __future__ import annotations

import re

#: Whole names with a fixed tier (checked before the token rules). GitHub Pages publishes a live site.
_EXACT = {
    "gh-pages": "production",
    "github-pages": "production",
    "preprod": "staging",
    "pre-prod": "staging",
    "pre-production": "staging",
    "preproduction": "staging",
}

#: (pattern matched against one token of the name, tier); the first token that matches any rule wins.
_TOKEN_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), tier)
    for pattern, tier in (
        (r"preprod.*", "staging"),
        (r"prod.*|live|prd", "production"),
        (r"stag.*|stg|uat\d*", "staging"),
        (r"test.*|qa\d*|ci", "testing"),
        (r"dev.*|local|sandbox|preview.*|review", "development"),
    )
)

_SLUG_JUNK = re.compile(r"[^a-z0-9/._-]+")
_DASHES = re.compile(r"-{2,}")


def slugify_environment(name: str) -> str:
    """Lower-case ``name``, turn runs of other characters into ``-``; keeps ``/`` (``review/x``, ``prod/eu``).

    ``"  Production EU "`` -> ``"production-eu"``; returns ``""`` for a blank name.
    """
    slug = _SLUG_JUNK.sub("-", (name or "").strip().lower())
    return _DASHES.sub("-", slug).strip("-/.")[:100]


def infer_tier(name: str) -> str:
    """The tier an environment name implies (see the module docstring for the rules and the default)."""
    slug = slugify_environment(name)
    if slug in _EXACT:
        return _EXACT[slug]
    if slug.split("/", 1)[0] in _EXACT:
        return _EXACT[slug.split("/", 1)[0]]
    if re.sub(r"[^a-z0-9]", "", slug).startswith("preprod"):  # "pre-prod-eu", "pre_production"
        return "staging"
    for token in re.split(r"[^a-z0-9]+", slug):
        for pattern, tier in _TOKEN_RULES:
            if token and pattern.fullmatch(token):
                return tier
    return "development"
