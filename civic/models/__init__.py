"""Models of the civic app, one module per area.

visits: visit days; meetings: consultation meetings; disclosures: public
disclosures and the residents' objections to them.
"""

from .disclosures import *  # noqa: F403
from .meetings import *  # noqa: F403
from .visits import *  # noqa: F403
