"""Development benchmarks, run from the repository root: `python -m bench.scoring`.

Not an installed app, and not part of what production runs. Importing the
package sets Django up (settings `jiyang.settings` unless
DJANGO_SETTINGS_MODULE says otherwise), so the benchmark modules import
models at the top like any other module.
"""

import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiyang.settings")
# The bare baseline (bench/bare) is a Django project of its own: its
# settings module sets Django up when its server or probe starts.
if not os.environ["DJANGO_SETTINGS_MODULE"].startswith("bench.bare"):
    django.setup()
