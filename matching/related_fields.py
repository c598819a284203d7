"""Fields related across ISCED-F 2013 groups — Tandem's own table, no Django.

ISCED-F is a tree: two courses of the same detailed, narrow or broad field share subject.
Some fields in different branches share it too (environmental sciences and environmental
protection technology; psychology and social work). This table names those pairs, each
once, as ISCED-F codes: a 4-digit detailed code, or a 3-digit narrow code standing for
every detailed field inside it. Chosen by the Tandem authors from the field definitions of
ISCED-F 2013 (UNESCO UIS); extend it when lecturers report a missing pair.
"""

from __future__ import annotations

RELATED_FIELDS: tuple[tuple[str, str], ...] = (
    # Environment, earth and planning
    ("0521", "0712"), ("0521", "0731"), ("052", "081"), ("052", "082"), ("052", "083"),
    ("0521", "1021"), ("0532", "0732"), ("0532", "0521"), ("0522", "0841"),
    # Physical sciences and engineering
    ("0531", "0711"), ("0531", "0722"), ("0531", "0916"), ("0533", "0713"),
    ("0533", "0714"), ("0533", "0722"), ("0533", "0715"),
    # Mathematics, statistics and computing
    ("054", "061"), ("0542", "031"), ("0541", "0412"), ("061", "0714"), ("0612", "0322"),
    ("061", "0211"), ("061", "0413"),
    # Life sciences, agriculture and health
    ("051", "091"), ("0512", "0916"), ("051", "081"), ("051", "084"), ("051", "0521"),
    ("0721", "081"), ("0721", "0831"), ("0721", "1013"), ("081", "084"),
    # Health and welfare
    ("091", "092"), ("0912", "0917"), ("091", "1022"), ("091", "1021"), ("0913", "0921"),
    ("0922", "0112"), ("1014", "0915"),
    # Social sciences, business and law
    ("0311", "041"), ("0312", "042"), ("0312", "0321"), ("0313", "0915"), ("0313", "0923"),
    ("0313", "011"), ("0314", "0923"), ("0314", "022"), ("0314", "0232"), ("032", "0211"),
    ("0413", "1013"), ("0413", "1015"), ("0414", "1015"), ("0416", "1041"), ("0421", "1032"),
    # Education, languages and arts
    ("0114", "023"), ("011", "0231"), ("0731", "021"), ("0212", "0723"),
    # Transport and vehicles
    ("1041", "0716"),
)  # fmt: skip


def _keys() -> tuple[frozenset[int], frozenset[int], frozenset[int]]:
    """The pairs as integer keys, both orders: detailed×detailed, narrow×narrow and
    detailed×narrow (codes as ints: "0521" → 521, "081" → 81)."""
    dd, nn, dn = set(), set(), set()
    for x, y in RELATED_FIELDS:
        for a, b in ((x, y), (y, x)):
            if len(a) == 4 and len(b) == 4:
                dd.add(int(a) * 10000 + int(b))
            elif len(a) == 3 and len(b) == 3:
                nn.add(int(a) * 1000 + int(b))
            elif len(a) == 4:
                dn.add(int(a) * 1000 + int(b))
    return frozenset(dd), frozenset(nn), frozenset(dn)


DETAILED_PAIRS, NARROW_PAIRS, DETAILED_NARROW_PAIRS = _keys()
