"""OpenAPI engines of the contracts app (load, validate, index, lint, diff): pure Python, no Django."""
