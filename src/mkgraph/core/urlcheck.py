"""What an endpoint URL may hold, decided once for every URL mkgraph would send a request to:
`--endpoint` (mkgraph.web.remote) and `--allow-service` (mkgraph.store.querycheck). A character
is judged by its Unicode category, never against a list of known bad ones."""

from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit


def unsafe_character(url: str) -> str | None:
    """What is wrong with the first character of `url` that no URL may hold as it is, or None:
    a control character (C0, DEL, C1: CR and LF would split an HTTP request), a space of any
    kind (Unicode separators and line breaks too), or an invisible or unassigned character (a
    zero-width space or a direction override makes the URL shown differ from the URL sent)."""
    for position, char in enumerate(url, 1):
        category = unicodedata.category(char)
        if category == "Cc":
            what = "a control character"
            why = "CR, LF and the like are never sent to a store"
        elif category in ("Zs", "Zl", "Zp"):
            what = "a space"
            why = "a URL holds none as it is (percent-encode it)"
        elif category in ("Cf", "Cs", "Co", "Cn"):
            what = "an invisible or unassigned character"
            why = "a URL holds none as it is (percent-encode it)"
        else:
            continue
        return f"contains {what} (U+{ord(char):04X} at position {position}): {why}"
    return None


def shown(url: str) -> str:
    """A URL as it may be shown: user info replaced by '***', anything unprintable escaped."""
    scheme, sep, rest = url.partition("://")
    if sep:
        authority, slash, path = rest.partition("/")
        if "@" in authority:
            authority = "***@" + authority.rpartition("@")[2]
        url = f"{scheme}{sep}{authority}{slash}{path}"
    return url[:200].encode("unicode_escape").decode("ascii")


def service_endpoint_problem(url: str) -> str | None:
    """Why `url` cannot be allowed as a SERVICE endpoint (--allow-service), or None. It must be
    an http(s) URL the engine could send as it is: the SERVICE check compares a query's IRIs
    with these texts, and \\u escapes in an IRI can write a CR or LF that a terminal hides."""
    bad = unsafe_character(url)
    if bad is not None:
        return f"'{shown(url)}' {bad}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError as exc:
        reason = " ".join(str(exc).split())[:120]
        return f"'{shown(url)}' is not a valid URL ({reason})"
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"'{shown(url)}' is not an http(s) URL"
    return None
