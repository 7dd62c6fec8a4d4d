"""The one check every SPARQL text passes before any engine sees it: refuse what would reach outside
the graph (SERVICE, LOAD and every other Update, FROM / FROM NAMED) and what would crash a parser
(brackets nested too deep), in any spelling.

Why a lexer and not rdflib's parser: rdflib's parser is not Oxigraph's (a text both accept could
mean different things to each), costs ~0.3 s to import on the fast path, and takes minutes on a
1 MB text. This module reads SPARQL 1.1 tokens (with RDF 1.2's additions) as Oxigraph's grammar
(spargebra 0.5, a PEG) reads them, in one linear pass, and decides on the tokens:

- Oxigraph matches keywords case-insensitively and with no word boundary (``trueSERVICE<x>{}`` is
  ``true`` then ``SERVICE``; ``service:x {}`` is ``SERVICE :x {}``), so a refused keyword anywhere
  inside a bare word or a prefix name counts. Inside a prefixed name's local part it counts unless
  the name certainly forms a valid IRI (else the PEG falls back to ``ex:`` alone, then a keyword).
- ``<`` is a less-than only inside an expression's parentheses after an operand; anywhere else it
  starts an IRI. The lexer tracks which brackets hold expressions to read it the same way (a
  ``#`` or quote in what one reader takes for an IRI would otherwise hide the rest of the line).
- Strings, IRIs, variables, blank-node labels and comments (ending at \\n or \\r) hide keywords.
- SPARQL's \\uXXXX / \\UXXXXXXXX escapes are decoded before parsing by the spec (Oxigraph 0.5
  decodes them only inside strings and IRIs): a text with escapes is checked both ways.

Where the grammar leaves a doubt the check refuses: refusing a strange query is harmless, missing
a SERVICE is not (and the engines run without network access anyway: mkgraph.store.offline).
"""

from __future__ import annotations

import re
from _thread import allocate_lock

from mkgraph.core.errors import QueryError
from mkgraph.core.limits import MAX_QUERY_LENGTH
from mkgraph.core.prefixes import PREFIXES


class _Lazy:
    """A regular expression compiled when first used: a process whose texts were all checked
    before (remembered, see check) never compiles these (about 3 ms of a cold query)."""

    def __init__(self, pattern: str, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        value = getattr(re.compile(*self._source), name)
        setattr(self, name, value)  # found directly from now on
        return value


MAX_NESTING = 64  # brackets inside each other; Oxigraph's parser overflows its stack at thousands

UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
_REFUSED = _Lazy("|".join(("SERVICE", "FROM", *UPDATE_KEYWORDS)), re.IGNORECASE)

# SPARQL's name characters beyond ASCII, as spargebra 0.5 writes them: PN_CHARS_BASE's ranges,
# and those PN_CHARS adds (which may not start a name). Python's `re` compiles a class by walking
# every code point of its ranges (about 0.1 s for these, more than the rest of a stored query's
# run), so the name patterns below are ASCII, and run on the query's "class string" (see
# _class_string), where each other character stands for its class.
_BASE_RANGES = (
    (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D), (0x37F, 0x1FFF), (0x200C, 0x200D),
    (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFFD),
)  # fmt: skip
_CHARS_RANGES = ((0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040))
_STANDS_FOR_BASE = "g"  # a letter and not a hex digit: it plays no other part in the patterns
_STANDS_FOR_CHARS = "\x01"  # a name character that may not start a name
_STANDS_FOR_OTHER = "\x02"  # in no name class
_STAND_INS = {ord("\x01"): "\x03", ord("\x02"): "\x03"}  # the stand-ins themselves, if present

_BASE = "A-Za-z"
_U = "_" + _BASE
_CHARS = "\\-0-9" + _STANDS_FOR_CHARS + _U
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}]*(?:\\.+[{_CHARS}]+)*)?"
# PN_LOCAL with at most one run of dots inside: Oxigraph reads ex:a.b.c as ex:a.b then .c
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*(?:\\.+(?:[{_CHARS}:]|{_PLX})+)?"
_VARNAME = f"[0-9{_U}][0-9{_STANDS_FOR_CHARS}{_U}]*"
# These three run on the class string.
_VAR = _Lazy(f"[?$]{_VARNAME}")
_BNODE = _Lazy(f"_:[0-9{_U}](?:[{_CHARS}]*(?:\\.+[{_CHARS}]+)*)?")
# A prefixed name or, without a colon, a bare word (a keyword or a function's name), read as
# wide as a prefix name can be, so that nothing glued to a keyword hides it.
_NAME = _Lazy(f"(?:{_PREFIX})?(?::(?:{_LOCAL})?)?")


def _in(code: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(low <= code <= high for low, high in ranges)


def _class_string(text: str) -> str:
    """The text, each character beyond ASCII replaced by one ASCII character of the same class
    (a name's first character, a later one, or neither), so that the ASCII patterns above match
    exactly where the full Unicode classes would on the text; an ASCII text is itself."""
    if text.isascii() and "\x01" not in text and "\x02" not in text:
        return text
    table = dict(_STAND_INS)
    for char in set(text):
        code = ord(char)
        if code > 0x7F:
            table[code] = (
                _STANDS_FOR_BASE
                if _in(code, _BASE_RANGES)
                else _STANDS_FOR_CHARS
                if _in(code, _CHARS_RANGES)
                else _STANDS_FOR_OTHER
            )
    return text.translate(table)


# One pattern per kind of token, chosen by the token's first character.
_WS = _Lazy(r"[ \t\r\n]+")
_COMMENT = _Lazy(r"#[^\r\n]*")
_STRING = _Lazy(
    r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""'
    r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'",
    re.DOTALL,
)
_LANGTAG = _Lazy(r"@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?")
_NUMBER = _Lazy(r"[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?")
# Oxigraph's IRIREF is "<", anything but ">", ">", then a valid IRI (escapes decoded).
_IRIREF = _Lazy(r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")
_PAIRS = {"<<", ">>", "<=", ">=", "!=", "&&", "||", "^^"}
_OPENING = {"{": "{", "[": "[", "<<": "<<"}
_CLOSING = {"}", "]", ")", ">>"}
_OPERAND_KINDS = {"var", "iri", "pname", "string", "number", "langtag", "bnode"}
_ESCAPE = _Lazy(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = _Lazy(r"[A-Za-z][A-Za-z0-9+.\-]*:")

Token = tuple[str, str, int]  # kind, text, where it starts


class Findings:
    """What the tokens of one spelling of a query say."""

    def __init__(self) -> None:
        # each refused keyword found (SERVICE, FROM or an update keyword) and, for a SERVICE
        # written plainly as `SERVICE [SILENT] <absolute IRI>`, its endpoint (else None)
        self.refused: list[tuple[str, str | None]] = []
        self.update_form = False  # the first keyword is an update operation
        self.too_deep = False


def _unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(one, text)


def _local_is_certain(base: str | None, local: str) -> bool:
    """Whether prefix IRI + local name is certainly a valid IRI, so that Oxigraph reads the
    prefixed name as one term (False for an undeclared or relative prefix)."""
    if base is None or not _SCHEME.match(base):
        return False
    if re.search("[\ufff0-\ufffd]", local) or "\\%" in local:
        return False
    if "\\#" in local and ("#" in base or local.count("\\#") > 1):
        return False
    authority = re.match(r"[A-Za-z][A-Za-z0-9+.\-]*://([^/?#]*)$", base)
    if authority:  # no path yet: the local name would continue the host or make a port
        return bool(re.fullmatch(r"[A-Za-z0-9._~-]*", authority.group(1))) and ":" not in local
    return True


def _ends_operand(token: Token | None) -> bool:
    if token is None:
        return False
    kind, text, _start = token
    return (
        kind in _OPERAND_KINDS
        or text in (")", ">>")
        or (kind == "word" and text.lower() in ("true", "false"))
    )


def _next(text: str, classes: str, position: int) -> tuple[str, int]:
    """The kind of the token at `position` (other than an IRI) and where it ends; `classes` is
    the text's class string."""
    char = text[position]
    pattern, kind, scanned = None, "punct", text
    if char in " \t\r\n":
        pattern, kind = _WS, "ws"
    elif char == "#":
        pattern, kind = _COMMENT, "comment"
    elif char in "\"'":
        pattern, kind = _STRING, "string"
    elif char in "?$":
        pattern, kind, scanned = _VAR, "var", classes
    elif char == "_":
        pattern, kind, scanned = _BNODE, "bnode", classes
    elif char == "@":
        pattern, kind = _LANGTAG, "langtag"
    elif char.isdigit() or (char == "." and text[position + 1 : position + 2].isdigit()):
        pattern, kind = _NUMBER, "number"
    elif char == ":" or char.isalpha():
        name = _NAME.match(classes, position)
        if name is not None and name.end() > position:
            return ("pname" if ":" in name.group(0) else "word"), name.end()
    if pattern is not None:
        matched = pattern.match(scanned, position)
        if matched is not None:
            return kind, matched.end()
    if text[position : position + 2] in _PAIRS:
        return "punct", position + 2
    return "punct", position + 1


def tokens(text: str) -> list[Token]:
    """The query's tokens (without white space and comments), `<` read as Oxigraph reads it; a
    ("too-deep", "", where) token ends the list where the nesting passes MAX_NESTING."""
    found: list[Token] = []
    brackets: list[str] = []  # "{", "[", "<<", "expr" or "list" for "("
    expr_levels: list[bool] = [True]  # per brace level: in a projection or solution modifiers
    position, length = 0, len(text)
    classes = _class_string(text)
    while position < length:
        start = position
        if text[position] == "<" and not text.startswith("<<", position):
            operator = brackets and brackets[-1] == "expr" and _ends_operand(found[-1])
            iri = None if operator else _IRIREF.match(text, position)
            if iri:
                found.append(("iri", iri.group(0), position))
                position = iri.end()
                continue
        kind, position = _next(text, classes, position)
        if kind == "ws" or kind == "comment":
            continue
        value = text[start:position]
        if kind == "punct":
            if value in _OPENING:
                brackets.append(_OPENING[value])
                if value == "{":
                    expr_levels.append(False)
            elif value == "(":
                brackets.append(
                    "expr" if _opens_expression(found, brackets, expr_levels) else "list"
                )
            elif value in _CLOSING and brackets and brackets.pop() == "{" and len(expr_levels) > 1:
                expr_levels.pop()
        elif kind == "word" and value.upper() in ("SELECT", "BY", "HAVING"):
            expr_levels[-1] = True
        found.append((kind, value, start))
        if len(brackets) > MAX_NESTING:
            found.append(("too-deep", "", start))
            break
    return found


def _opens_expression(found: list[Token], brackets: list[str], expr_levels: list[bool]) -> bool:
    """Whether a "(" opens an expression (a function's arguments, FILTER, BIND, a projection or
    an ORDER / GROUP BY condition) rather than an RDF collection or a VALUES row."""
    if brackets and brackets[-1] == "expr":
        return True
    if (not brackets or brackets[-1] == "{") and expr_levels[-1]:
        return True
    if not found:
        return True
    kind, text, _start = found[-1]
    if kind == "word":
        return text.lower() != "a"
    if kind in ("iri", "pname") and len(found) > 1:
        before_kind, before_text, _ = found[-2]
        return before_kind == "word" and before_text.upper() == "FILTER"
    return False


def inspect(text: str) -> Findings:
    """Read the tokens of one spelling of the query."""
    found = tokens(text)
    findings = Findings()
    prefixes: dict[str, str | None] = dict(PREFIXES)  # mkgraph's, predeclared
    first_keyword = True
    for index, (kind, value, _start) in enumerate(found):
        if kind == "too-deep":
            findings.too_deep = True
            return findings
        if kind == "word" and first_keyword and value.upper() not in ("PREFIX", "BASE", "VERSION"):
            first_keyword = False
            findings.update_form = value.upper() in (*UPDATE_KEYWORDS, "WITH")
        if (
            kind == "word"
            and value.upper() == "PREFIX"
            and index + 2 < len(found)
            and found[index + 1][0] == "pname"
            and found[index + 2][0] == "iri"
        ):
            iri = _unescape(found[index + 2][1][1:-1])
            prefixes[found[index + 1][1].split(":", 1)[0]] = iri if _SCHEME.match(iri) else None
        if kind == "word":
            suspect = value
        elif kind == "pname":
            name, local = value.split(":", 1)
            suspect = name
            if local and not _local_is_certain(prefixes.get(name), local):
                suspect += " " + local
        else:
            continue
        for keyword in _REFUSED.finditer(suspect):
            refused = keyword.group(0).upper()
            endpoint = None
            if refused == "SERVICE" and kind == "word" and value.upper() == "SERVICE":
                endpoint = _plain_endpoint(found[index + 1 : index + 3])
            findings.refused.append((refused, endpoint))
    return findings


def _plain_endpoint(following: list[Token]) -> str | None:
    """The endpoint after `SERVICE [SILENT]` when it is an absolute IRI written out, else None."""
    if following and following[0][0] == "word" and following[0][1].upper() == "SILENT":
        following = following[1:]
    if following and following[0][0] == "iri":
        iri = _unescape(following[0][1][1:-1])
        return iri if _SCHEME.match(iri) else None
    return None


def _plainly_harmless(text: str) -> bool:
    """A quick, sound shortcut: no refused keyword anywhere in the text (so in no token), and
    too few opening brackets in all to nest too deep."""
    openings = text.count("{") + text.count("(") + text.count("[") + text.count("<<")
    return openings <= MAX_NESTING and _REFUSED.search(text) is None


def check(
    text: str, source: str = "query", allow_service: tuple[str, ...] = (), hint: bool = True
) -> None:
    """Refuse, with a one-line QueryError, a query that would reach outside the graph or is
    nested too deeply; before any engine sees it. `hint`: mention --allow-service."""
    if allow_service:
        from mkgraph.core.urlcheck import service_endpoint_problem
    for url in allow_service:  # only URLs that could be sent as they are
        problem = service_endpoint_problem(url)
        if problem:
            raise QueryError(f"--allow-service {problem}")
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"{source}: the query is too long ({len(text)} characters)")
    if not text.strip():
        raise QueryError(f"{source}: the query is empty")
    from mkgraph.store.cache import blake2b  # not hashlib: see there

    digest = blake2b(
        repr(tuple(allow_service)).encode("utf-8", "surrogatepass")
        + b"\0"
        + text.encode("utf-8", "surrogatepass")
    ).digest()
    with _PASSED_LOCK:
        if digest in _PASSED:
            return
    marker = _marker(digest) if len(text) >= REMEMBER_FROM else None
    if marker is None or not marker.is_file():
        _refuse_if_outside(text, source, allow_service, hint)
        if marker is not None:
            _remember(marker)
    with _PASSED_LOCK:
        _PASSED[digest] = None
        if len(_PASSED) > _PASSED_MAX:
            del _PASSED[next(iter(_PASSED))]  # the oldest


# The verdict depends on the text and the allowed endpoints alone, so a text that passed need not
# be read again: a server's workers see the same few stored queries over and over. Digests only
# (a text may be a megabyte), a bounded number, oldest forgotten first.
_PASSED: dict[bytes, None] = {}
_PASSED_MAX = 1024
_PASSED_LOCK = allocate_lock()  # _thread's: importing threading cost a cold query ~2 ms

# A long text that passed is also remembered across processes, as an empty file named by its
# digest in the cache folder (where the loaded graph and the stored queries' parameter checks are
# kept already): reading a stored query's 9,000 characters token by token cost a cold
# `mkgraph query descendants` about a tenth of its CPU. Short texts are read again (cheaper than a
# file); a refused text is never remembered; the digest covers the allowed endpoints, and the
# marker's name this check's version and mkgraph's, so a changed rule reads every text again.
REMEMBER_FROM = 2000  # characters
_CHECK_VERSION = "1"  # bump when the check refuses more
_REMEMBERED_MAX = 512  # markers kept; the oldest go first


def _marker(digest: bytes):
    from mkgraph import __version__
    from mkgraph.store.cache import blake2b, cache_folder

    folder = cache_folder()
    if folder is None:
        return None
    version = blake2b(f"{_CHECK_VERSION} {__version__}".encode()).hexdigest()[:8]
    return folder / "checked-texts" / f"{version}-{digest.hex()[:40]}"


def _remember(marker) -> None:
    try:
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        markers = list(marker.parent.iterdir())
        if len(markers) > _REMEMBERED_MAX:
            for old in sorted(markers, key=lambda p: p.stat().st_mtime)[: -_REMEMBERED_MAX // 2]:
                old.unlink(missing_ok=True)
    except OSError:
        pass  # not remembered: read again next time


def _refuse_if_outside(text: str, source: str, allow_service: tuple[str, ...], hint: bool) -> None:
    spellings = [text]
    if _ESCAPE.search(text):
        spellings.append(_unescape(text))  # as the SPARQL spec reads it
    for spelling in spellings:
        if _plainly_harmless(spelling):
            continue
        findings = inspect(spelling)
        if findings.too_deep:
            raise QueryError(
                f"{source}: the query is nested too deeply (more than {MAX_NESTING} "
                "brackets inside each other)"
            )
        keywords = {name for name, _endpoint in findings.refused}
        if findings.update_form or keywords & set(UPDATE_KEYWORDS):
            raise QueryError(
                f"{source}: SPARQL Update (INSERT, DELETE, LOAD, CLEAR, DROP, ...) is "
                "refused: mkgraph's graph is read-only"
            )
        if "FROM" in keywords:
            raise QueryError(
                f"{source}: FROM / FROM NAMED is refused: mkgraph never loads graphs from elsewhere"
            )
        for _name, endpoint in findings.refused:  # only SERVICE is left
            if endpoint is None or endpoint not in allow_service:
                raise QueryError(
                    f"{source}: SERVICE <{endpoint or '?'}> is refused: mkgraph sends queries "
                    "to no other endpoint"
                    + (" unless you name it with --allow-service" if hint else "")
                )
