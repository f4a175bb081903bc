"""Entities: what the raw strings of records name.

The resolution stage (:mod:`~innometrics.entities.resolve`) applied to every reader's
output; countries (ISO codes, names, states: :mod:`~innometrics.entities.countries`),
addresses (an affiliation string split into organisation, city, country:
:mod:`~innometrics.entities.addresses`), places (offline geocoding:
:mod:`~innometrics.entities.places`) and institutions (the ROR registry and matcher:
:mod:`~innometrics.entities.institutions`). May import ``records``, ``io`` and
``errors``; never ``rankings`` or ``views``.
"""
