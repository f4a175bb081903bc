"""A hand-made record set whose counts the ranking tests compute by hand."""

from __future__ import annotations


from innometrics.records.model import RecordSet


def toy_records() -> RecordSet:
    """Five records covering every credit path (hand-computed expectations in the tests).

    R1 (2020, w=1, 10 citations): A (1st, corresponding) at MIT (Cambridge, USA) and
        Oxford (Oxford, GBR); B has no address -> unknown.
    R2 (2020, w=2, 3 citations): authors C, D; three addresses not linked to authors:
        MIT, ETH (Zurich, CHE), ETH -> 2/3 each.
    R3 (2021, w=1, no citation count): author E without address -> unknown.
    R4 (2021, w=1, 0 citations): no author, no address -> unknown.
    R5 (2022, w=1, 5 citations): F (1st) at PKU (Beijing, CHN); G (corresponding) at
        MIT and ETH; H (corresponding) at Tsinghua (id I-THU, Beijing, CHN).
    """
    records = [
        dict(record_id="R1", year=2020, weight=1.0, citations=10),
        dict(record_id="R2", year=2020, weight=2.0, citations=3),
        dict(record_id="R3", year=2021, weight=1.0, citations=None),
        dict(record_id="R4", year=2021, weight=1.0, citations=0),
        dict(record_id="R5", year=2022, weight=1.0, citations=5),
    ]
    people = [("R1", 1, "A", True), ("R1", 2, "B", False), ("R2", 1, "C", False), ("R2", 2, "D", False),
              ("R3", 1, "E", False), ("R5", 1, "F", False), ("R5", 2, "G", True), ("R5", 3, "H", True)]
    contributors = [dict(record_id=r, position=p, name=n, is_corresponding=c) for r, p, n, c in people]
    mit = dict(institution="MIT", city="Cambridge", country="USA")
    oxford = dict(institution="Oxford", city="Oxford", country="GBR")
    eth = dict(institution="ETH", city="Zurich", country="CHE")
    pku = dict(institution="PKU", city="Beijing", country="CHN")
    thu = dict(institution="Tsinghua", institution_id="I-THU", city="Beijing", country="CHN")
    affiliations = [
        dict(record_id="R1", position=1, **mit), dict(record_id="R1", position=1, **oxford),
        dict(record_id="R2", position=None, **mit), dict(record_id="R2", position=None, **eth),
        dict(record_id="R2", position=None, **eth),
        dict(record_id="R5", position=1, **pku), dict(record_id="R5", position=2, **mit),
        dict(record_id="R5", position=2, **eth), dict(record_id="R5", position=3, **thu),
    ]
    return RecordSet.from_rows(records, contributors, affiliations, [], read=5)
