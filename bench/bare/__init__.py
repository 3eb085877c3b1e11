"""The bare baseline of the web benchmark: a minimal Django project.

What plain Django does on this machine and database, side by side with the
portal (`python -m bench.web`): a form whose POST is one INSERT into the
portal's concerns table, a 50-row JSON list by `.values()` over the same
index as the portal's lists, and a plain template page. Served with its
own settings (`bench.bare.settings`), never installed in the portal.
"""
