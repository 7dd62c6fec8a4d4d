"""The one check every SPARQL text passes before any engine sees it: refuse what would reach outside
the graph (SERVICE, LOAD and every other Update, FROM / FROM NAMED) and what would crash a parser
(nesting too deep), in any spelling.

Why a lexer and not rdflib's parser: rdflib's parser is a different parser from Oxigraph's (so a
text both accept could mean different things to each), costs ~0.3 s to import on the fast path,
and takes minutes on a 1 MB text. This module tokenises SPARQL 1.1 (with RDF 1.2's additions) the
way Oxigraph's grammar (spargebra, a PEG) does, in one linear pass, and decides on the tokens:

- Oxigraph matches keywords case-insensitively and with no word boundary (``trueSERVICE<x>{}``
  is ``true`` then ``SERVICE``), so a refused keyword anywhere inside a bare word or a prefix
  name counts. Inside a prefixed name's local part it counts unless the name certainly forms
  a valid IRI (otherwise the PEG falls back to reading ``ex:`` alone, then the keyword).
- ``<`` is a less-than only inside an expression's parentheses after an operand; anywhere else
  it starts an IRI. The lexer tracks which brackets are expressions to read it the same way.
- Strings, IRIs, variables, blank-node labels and comments (ending at \\n or \\r) hide keywords.
- SPARQL's \\uXXXX / \\UXXXXXXXX escapes are decoded before parsing by the spec (Oxigraph 0.5
  decodes them only inside strings and IRIs): a text with escapes is checked both ways.

Where the grammar leaves a doubt the check refuses: a false refusal of a strange query is
harmless; a missed SERVICE is not (and the engines run without network access anyway, see
mkgraph.offline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mkgraph.errors import QueryError

MAX_QUERY_LENGTH = 1_000_000
MAX_NESTING = 64  # brackets; Oxigraph's parser overflows its stack at a few thousand

UPDATE_KEYWORDS = ("INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY")
_REFUSED = ("SERVICE", "FROM", *UPDATE_KEYWORDS)
_REFUSED_RE = re.compile("|".join(_REFUSED), re.IGNORECASE)

_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_U = "_" + _BASE
_CHARS = "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040" + _U
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PREFIX = f"[{_BASE}](?:[{_CHARS}]*(?:\\.+[{_CHARS}]+)*)?"
# Oxigraph's PN_LOCAL: at most one run of dots inside (so ex:a.b.c is ex:a.b then .c).
_LOCAL = f"(?:[{_U}:0-9]|{_PLX})(?:[{_CHARS}:]|{_PLX})*(?:\\.+(?:[{_CHARS}:]|{_PLX})+)?"
_VARNAME = f"[0-9{_U}][0-9\u00b7\u0300-\u036f\u203f-\u2040{_U}]*"

_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>\"\"\"(?:(?:\"|\"\")?(?:[^\"\\]|\\.))*\"\"\"
              |'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |\"(?:[^\"\\\n\r]|\\.)*\"
              |'(?:[^'\\\n\r]|\\.)*')
  | (?P<var>[?$](?:VARNAME))
  | (?P<bnode>_:[0-9U](?:[CHARS]*(?:\.+[CHARS]+)*)?)
  | (?P<pname>(?P<prefix>(?:PREFIX)?):(?P<local>LOCAL)?)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*(?:--[A-Za-z]+)?)
  | (?P<number>[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?)
  | (?P<word>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<punct>\(|\)|\{|\}|\[|\]|<<|>>|<=|>=|!=|&&|\|\||\^\^|.)
    """.replace("VARNAME", _VARNAME)
    .replace("[0-9U]", f"[0-9{_U}]")
    .replace("CHARS", _CHARS)
    .replace("(?:PREFIX)", f"(?:{_PREFIX})")
    .replace("LOCAL", _LOCAL),
    re.VERBOSE | re.DOTALL,
)
_IRIREF = re.compile(r"<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>")
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_OPERAND_KINDS = {"var", "iri", "pname", "string", "number", "langtag", "bnode"}


@dataclass
class Token:
    kind: str
    text: str
    start: int


@dataclass
class Findings:
    """What the tokens say about a query: the first refused keyword, where, and nesting."""

    # each refused keyword found (SERVICE, FROM or an update keyword), with, for a SERVICE
    # written plainly as `SERVICE [SILENT] <absolute IRI>`, its endpoint (else None)
    refused: list[tuple[str, str | None]] = field(default_factory=list)
    update_form: bool = False  # the first keyword is an update operation
    depth: int = 0


def _unescape(text: str) -> str:
    def one(match: re.Match) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else match.group(0)

    return _ESCAPE.sub(one, text)


def _local_is_certain(base: str | None, local: str) -> bool:
    """Whether prefix IRI + local name is certainly a valid IRI (then Oxigraph reads the whole
    prefixed name as one term); None for an undeclared or relative prefix."""
    if base is None or not _SCHEME.match(base):
        return False
    if re.search("[\ufff0-\ufffd]", local) or "\\%" in local:
        return False
    if "\\#" in local and ("#" in base or local.count("\\#") > 1):
        return False
    authority = re.match(r"[A-Za-z][A-Za-z0-9+.\-]*://([^/?#]*)$", base)
    if authority:  # no path yet: the local name would continue the host
        return bool(re.fullmatch(r"[A-Za-z0-9._~-]*", authority.group(1))) and ":" not in local
    return True


def tokens(text: str) -> list[Token]:
    """The query's tokens (without white space and comments), `<` read as Oxigraph reads it."""
    found: list[Token] = []
    brackets: list[str] = []  # "{" "[" "expr" "list" "<<"
    expr_levels: list[bool] = [True]  # per brace level: projection / solution modifiers
    position = 0
    length = len(text)
    while position < length:
        if text[position] == "<" and not text.startswith("<<", position):
            previous = found[-1] if found else None
            in_expression = bool(brackets) and brackets[-1] == "expr"
            after_operand = previous is not None and (
                previous.kind in _OPERAND_KINDS
                or previous.text in (")", ">>")
                or (previous.kind == "word" and previous.text.lower() in ("true", "false"))
            )
            if not (in_expression and after_operand):
                iri = _IRIREF.match(text, position)
                if iri:
                    found.append(Token("iri", iri.group(0), position))
                    position = iri.end()
                    continue
        match = _TOKEN.match(text, position)
        assert match is not None  # the last alternative matches any character
        kind = match.lastgroup or "punct"
        if kind in ("prefix", "local"):
            kind = "pname"
        value = match.group(0)
        position = match.end()
        if kind in ("ws", "comment"):
            continue
        token = Token(kind, value, match.start())
        if kind == "punct":
            if value == "{":
                brackets.append("{")
                expr_levels.append(False)
            elif value == "[":
                brackets.append("[")
            elif value == "(":
                brackets.append(
                    "expr" if _opens_expression(found, brackets, expr_levels) else "list"
                )
            elif value == "<<":
                brackets.append("<<")
            elif value in ("}", "]", ")", ">>") and brackets:
                closed = brackets.pop()
                if closed == "{" and len(expr_levels) > 1:
                    expr_levels.pop()
        elif kind == "word" and value.upper() in ("SELECT", "BY", "HAVING"):
            expr_levels[-1] = True
        token_depth = len(brackets)
        found.append(token)
        if token_depth > MAX_NESTING:
            found.append(Token("too-deep", "", token.start))
            break
    return found


def _opens_expression(found: list[Token], brackets: list[str], expr_levels: list[bool]) -> bool:
    """Whether a "(" opens an expression (a function's arguments, FILTER, BIND, a projection or
    an ORDER / GROUP BY condition) rather than an RDF collection or a VALUES row."""
    if brackets and brackets[-1] == "expr":
        return True
    if (not brackets or brackets[-1] == "{") and expr_levels[-1]:
        return True
    previous = found[-1] if found else None
    if previous is None:
        return True
    if previous.kind == "word":
        return previous.text.lower() != "a"
    if previous.kind in ("iri", "pname") and len(found) > 1:
        before = found[-2]
        return before.kind == "word" and before.text.upper() == "FILTER"
    return False


def inspect(text: str) -> Findings:
    """Read the tokens of one spelling of the query."""
    found = tokens(text)
    findings = Findings()
    prefixes: dict[str, str | None] = {}
    first_keyword: str | None = None
    depth = 0
    for index, token in enumerate(found):
        if token.kind == "too-deep":
            findings.depth = MAX_NESTING + 1
            return findings
        if token.text in ("{", "(", "[", "<<"):
            depth += 1
            findings.depth = max(findings.depth, depth)
        elif token.text in ("}", ")", "]", ">>"):
            depth = max(0, depth - 1)
        if token.kind == "word" and first_keyword is None:
            upper = token.text.upper()
            if upper not in ("PREFIX", "BASE", "VERSION"):
                first_keyword = upper
                findings.update_form = upper in (*UPDATE_KEYWORDS, "WITH")
        if (
            token.kind == "word"
            and token.text.upper() == "PREFIX"
            and index + 2 < len(found)
            and found[index + 1].kind == "pname"
            and found[index + 2].kind == "iri"
        ):
            name = found[index + 1].text.split(":", 1)[0]
            iri = _unescape(found[index + 2].text[1:-1])
            prefixes[name] = iri if _SCHEME.match(iri) else None
        suspect = ""
        if token.kind == "word":
            suspect = token.text
        elif token.kind == "pname":
            name, local = token.text.split(":", 1)
            suspect = name
            if local and not _local_is_certain(prefixes.get(name, _PREDECLARED.get(name)), local):
                suspect += " " + local
        for keyword in _REFUSED_RE.finditer(suspect):
            name = keyword.group(0).upper()
            endpoint = None
            if name == "SERVICE" and token.kind == "word":
                endpoint = _plain_endpoint(token, found[index + 1 : index + 3])
            findings.refused.append((name, endpoint))
    return findings


def _plain_endpoint(keyword: Token, following: list[Token]) -> str | None:
    """The endpoint of `SERVICE [SILENT] <iri>` written plainly, else None (refused whatever)."""
    if keyword.text.upper() != "SERVICE":
        return None
    if following and following[0].kind == "word" and following[0].text.upper() == "SILENT":
        following = following[1:]
    if following and following[0].kind == "iri":
        iri = _unescape(following[0].text[1:-1])
        return iri if _SCHEME.match(iri) else None
    return None


def _predeclared() -> dict[str, str | None]:
    from mkgraph.prefixes import PREFIXES

    return dict(PREFIXES)


_PREDECLARED = _predeclared()


def check(
    text: str, source: str = "query", allow_service: tuple[str, ...] = (), hint: bool = True
) -> None:
    """Refuse, with a one-line QueryError, a query that would reach outside the graph or is
    nested too deeply; before any engine sees it. `hint`: mention --allow-service."""
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"{source}: the query is too long ({len(text)} characters)")
    if not text.strip():
        raise QueryError(f"{source}: the query is empty")
    spellings = [text]
    if _ESCAPE.search(text):
        spellings.append(_unescape(text))  # as the SPARQL spec reads it
    for spelling in spellings:
        findings = inspect(spelling)
        if findings.depth > MAX_NESTING:
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
