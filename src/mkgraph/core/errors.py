"""The errors mkgraph raises. Only the command line turns them into messages and exit codes."""

from __future__ import annotations


class MkgraphError(Exception):
    """Base of every error mkgraph reports to its user; its text is one line, fit to print."""

    exit_code = 2

    def __str__(self) -> str:  # always one line, whatever the underlying library said
        return " ".join(str(self.args[0] if self.args else "").split())


class ResourceError(MkgraphError):
    """The ontology, data, shapes or queries folders are missing or unusable."""


class DataError(MkgraphError):
    """A data, ontology or shapes file cannot be parsed."""

    def __init__(self, path, message: str, line: int | None = None, column: int | None = None):
        self.path, self.line, self.column = str(path), line, column
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {message}")


class QueryError(MkgraphError):
    """A SPARQL query cannot be parsed or run, or a stored query is malformed."""


class QueryTimeout(QueryError):
    """A query ran longer than its time limit."""


class ValidationTimeout(MkgraphError):
    """Validation ran longer than its time limit."""


class UnknownNameError(MkgraphError):
    """A name (stored query, parameter, system, language, ...) that the graph does not know."""


class ParameterError(MkgraphError):
    """A query parameter is malformed or not accepted."""


class OutputError(MkgraphError):
    """The result cannot be written where it was asked to go."""


class AmbiguousNameError(ParameterError):
    """A name that denotes more than one resource of the kind asked for."""

    def __init__(self, message: str, value: str = "", candidates: tuple[str, ...] = ()):
        super().__init__(message)
        self.value, self.candidates = value, candidates
