"""Plain helpers every app may import: no models, no app imports.

The layer graph (see `pyproject.toml`, import-linter) puts this package under
`org`, so nothing here may import a project app or `jiyang`.
"""
