"""The demo street (济宁市任城区济阳街道), one module per app.

Not an app: `manage.py load_demo` imports these modules in dependency order.
Each builds its part through the apps' own services where the workflow
matters, and writes on natural keys, so loading twice changes nothing.
"""
