"""Entities: what the raw strings of records name.

Countries (ISO codes, names, states: :mod:`~innometrics.entities.countries`), addresses
(an affiliation string split into organisation, city, country:
:mod:`~innometrics.entities.addresses`) and places (offline geocoding:
:mod:`~innometrics.entities.places`). May import ``io`` and ``errors``; never
``records``' readers, ``rankings`` or ``views``.
"""
