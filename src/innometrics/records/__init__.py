"""Records: the record model and the readers of exports.

A reader turns an export (Web of Science plain and tab-delimited, Scopus, OpenAlex,
the generic tables layout, the patent formats) into records, contributors and raw
affiliations (addresses and country fields as written), and nothing more:
:func:`innometrics.records.read.read_records` picks the reader. The first stage of a
record's path: imports only ``io`` and ``errors``, never ``entities``, ``rankings`` or
``views``.
"""
