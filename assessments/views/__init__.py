"""The app's pages, by audience.

- `inspections`: phone pages for inspectors, the sealed draw and the
  rectification notices companies answer.
- `scores`: staff pages for scores, rankings, rewards and exits.
- `cycle`: the street office's acts: scoring runs, approving and paying
  rewards, the exit ladder's steps and the exit decision.
"""
