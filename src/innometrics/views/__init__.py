"""Views: publisher-style lists built on the rankings.

Achievement lists (BenchCouncil style), the Nature Index (Count, Share, adjusted Share,
research leaders, collaboration), Highly Cited Researchers-style designations, Science
Cities and S&T clusters. May import ``records``, ``entities`` and ``rankings``; nothing
below imports ``views``.
"""
