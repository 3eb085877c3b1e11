"""The app's pages, by audience.

- `inspections`: phone pages for inspectors, the sealed draw and the
  rectification notices companies answer.
- `scores`: staff pages for scores, rankings, rewards, exits and runs.
"""
