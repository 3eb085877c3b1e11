"""Models of the consultations app, one module per area.

concerns: residents' concerns and their workflow; visits: visit days;
meetings: consultation meetings; disclosures: public disclosures.
"""

from .concerns import *  # noqa: F403
from .disclosures import *  # noqa: F403
from .meetings import *  # noqa: F403
from .partners import *  # noqa: F403
from .visits import *  # noqa: F403
