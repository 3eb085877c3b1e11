"""Assessment models: the scheme, inspections and the scores built on them."""

from .inspections import *  # noqa: F403
from .scheme import *  # noqa: F403
from .scores import *  # noqa: F403
