"""Spreadsheet intake: a form end users fill in, and its import as new issues.

``form`` writes the workbook, ``rows`` validates one filled-in row (pure), ``importer``
reads workbooks and files their rows as one batch in one transaction.
"""
