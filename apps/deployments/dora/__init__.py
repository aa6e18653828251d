"""Pure-Python DORA reference engine (no Django import).

The production app computes the five DORA keys with SQL aggregates; this package is the reference the SQL is
tested against:

- ``records``: the frozen input records (``Deployment``, ``Change``, ``Incident``).
- ``metrics``: ``dora()``, ``drill_down()``, ``weekly_trend()`` and ``suggest_cause()``.
- ``bands``: the elite/high/medium/low thresholds per metric, with their source, and ``band()``.
- ``devlake``: Apache DevLake's change-lead-time and incident->deployment rules, re-implemented as an independent
  cross-check of the semantics.
"""
