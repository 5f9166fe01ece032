"""The nightly job: reconcile, then turn the run's discrepancies into issues.

``patterns`` finds systemic differences, ``plan`` decides what each finding does to
the tracker (both pure), and ``job`` applies that plan to the store under a lock.
"""
