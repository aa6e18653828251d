"""Gunicorn settings for the Docker image and `make web`:  gunicorn -c config/gunicorn.py config.wsgi

Proxy headers are trusted only behind a proxy. Gunicorn believes a request's X-Forwarded-Proto (and
so tells Django it came over HTTPS) only from FORWARDED_ALLOW_IPS: none by default — gunicorn's own
default trusts 127.0.0.1 — and it may only be set together with BEHIND_PROXY=1, the one switch that
also makes Django read X-Forwarded-Proto/Host/For (config/settings.py). Addresses or networks,
comma-separated; ``*`` trusts any peer (only when nothing but the proxy can reach the server).
"""

from config.env import env_bool, env_int, env_str

_behind_proxy = env_bool("BEHIND_PROXY", False)
_forwarded_allow_ips = env_str("FORWARDED_ALLOW_IPS", "").strip()
if _forwarded_allow_ips and not _behind_proxy:
    raise SystemExit(
        "FORWARDED_ALLOW_IPS: proxy headers are trusted only with BEHIND_PROXY=1; set both, or neither."
    )

bind = env_str("GUNICORN_BIND", "") or f"0.0.0.0:{env_int('PORT', 8000)}"
workers = env_int("WEB_CONCURRENCY", 3)
accesslog = "-"
forwarded_allow_ips = _forwarded_allow_ips
