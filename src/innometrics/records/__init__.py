"""Records: the record model and the readers of exports.

A reader turns an export (Web of Science plain and tab-delimited, Scopus, OpenAlex,
the generic tables layout) into records, contributors and raw affiliations, and nothing
more: :func:`innometrics.records.read.read_records` picks the reader. May import
:mod:`innometrics.entities`, ``io`` and ``errors``; never ``rankings`` or ``views``.
"""
