"""Every write path of the app, by subject.

- `inspections`: inspections, the panel, rectification notices.
- `scoring`: the monthly scoring and quarterly ranking jobs.

Import from the submodule (`from assessments.services.scoring import
rank_quarter`); this package re-exports nothing.
"""
