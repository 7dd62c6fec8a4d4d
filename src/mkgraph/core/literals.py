"""The lexical forms of the XSD datatypes the data uses, checked the same way by both loaders.

rdflib flags some ill-typed literals (a 30 February) but lets others through (any text at all as an
xsd:gYear); mkgraph refuses both, by XML Schema 1.1 part 2's lexical rules.
"""

from __future__ import annotations

import datetime
import re

XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGER = r"[+-]?[0-9]+"
_DECIMAL = r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)"
_DOUBLE = r"([+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?|[+-]?INF|NaN)"
_ZONE = r"(Z|[+-][0-9]{2}:[0-9]{2})?"
_YEAR = r"-?([1-9][0-9]{3,}|0[0-9]{3})"  # no leading zero past four digits
# The lexical forms of the XSD types the data uses, as XML Schema 1.1 part 2 defines them.
LEXICAL = {
    XSD + "integer": _INTEGER,
    XSD + "int": _INTEGER,
    XSD + "long": _INTEGER,
    XSD + "nonNegativeInteger": r"\+?[0-9]+|-0+",
    XSD + "positiveInteger": r"\+?0*[1-9][0-9]*",
    XSD + "decimal": _DECIMAL,
    XSD + "double": _DOUBLE,
    XSD + "float": _DOUBLE,
    XSD + "boolean": r"true|false|1|0",
    XSD + "gYear": _YEAR + _ZONE,
    XSD + "gYearMonth": _YEAR + r"-(0[1-9]|1[0-2])" + _ZONE,
    XSD + "date": _YEAR + r"-[0-9]{2}-[0-9]{2}" + _ZONE,
    XSD + "dateTime": _YEAR + r"-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?" + _ZONE,
}
_BOUNDS = {XSD + "int": (-(2**31), 2**31 - 1), XSD + "long": (-(2**63), 2**63 - 1)}
_PATTERNS = {datatype: re.compile(pattern) for datatype, pattern in LEXICAL.items()}


def well_typed(value: str, datatype: str) -> bool:
    """Whether the text is in the datatype's lexical space (types not listed here always are)."""
    pattern = _PATTERNS.get(datatype)
    if pattern is None:
        return True  # a type whose lexical space we do not check
    value = value.strip(" \t\r\n")  # these types collapse white space before matching
    if not pattern.fullmatch(value):
        return False
    if datatype in _BOUNDS:  # the value space: xsd:int and xsd:long are 32- and 64-bit
        if len(value.lstrip("+-").lstrip("0")) > 20:  # out of range, and too long for int()
            return False
        low, high = _BOUNDS[datatype]
        return low <= int(value) <= high
    if datatype in (XSD + "date", XSD + "dateTime") and re.match(r"[0-9]{4}-", value):
        try:  # the calendar: no 30 February
            datetime.date.fromisoformat(value[:10])
        except ValueError:
            return False
    return True
