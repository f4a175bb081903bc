"""Institutions resolved to the ROR registry: the registry reader and the affiliation matcher."""
