"""Receivers: the pure-Python engine that turns what CI and alerting tools send into one normalised shape.

This package owns, without importing Django:

* ``report`` -- the normalised value types (``DeploymentReport``, ``IncidentEvent``), ``ReportError`` /
  ``IgnoredEvent`` and the validation helpers every receiver shares (timestamps, SHAs, spans);
* ``github`` -- GitHub ``deployment`` / ``deployment_status`` webhooks and their headers;
* ``gitlab`` -- GitLab's Deployment Hook;
* ``alertmanager`` -- Prometheus Alertmanager's webhook (version 4), one ``IncidentEvent`` per alert;
* ``signatures`` -- webhook authentication (GitHub HMAC-SHA256, GitLab shared token);
* ``environments`` -- environment-name slugs and tier inference.

Receivers take an already-decoded JSON document (``json.loads`` is the caller's job) and either return
normalised values or raise ``ReportError`` naming the offending field.
"""
