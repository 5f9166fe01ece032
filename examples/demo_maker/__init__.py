"""Build the dualrun demo project; ``examples/make_demo.py`` is the entry point.

Modules, in dependency order: ``records`` (constants, styles, how values are written),
``master`` (the records), ``plants`` (the planted differences), ``nights`` (one night's
sides and expected counts), ``files`` (the xlsx/csv writers), ``config_text`` and
``docs`` (dualrun.toml, README.md, PLANTED.md).
"""
