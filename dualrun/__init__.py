"""dualrun: reconcile manual spreadsheets against CRM exports during a parallel run.

Public API (importable without the CLI):
    load_config(path) -> Config
    run_reconcile(config, ...) -> RunResult      (dualrun.service)
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
