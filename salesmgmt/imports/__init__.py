"""Spreadsheet imports for every record people keep in spreadsheets.

The flow, the same for every kind (activities, deals, tasks, goals, ...):

    upload (CSV or XLSX) -> ImportJob (the file's bytes in the database)
      -> check job (the dry run: every bad row and column, counts; writes nothing)
      -> preview page (progress while checking, then counts and problems)
      -> 'Import' (only with no problem) -> import job (all or nothing) -> done page

Core knows no kind: each app registers its importers from its AppConfig.ready()
(``registry.register(ActivityImporter())``), as panels do (salesmgmt/panels.py), so
imports run one way (core < activities < plans).
"""
