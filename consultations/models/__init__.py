"""Models of the consultations app: residents' concerns and their workflow."""

from .concerns import *  # noqa: F403
