"""What kind of document a source is (mk:sourceKind), guessed once from its dct:type, address and
name, for sources that do not say. Run by `mkgraph format --migrate`; a curator states the kind of
every new source directly (see CONTRIBUTING.md), and may correct a guess by editing it."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS

from mkgraph.core.namespaces import MK, SCHEMA, SOURCE, SOURCE_KIND

LIST = SOURCE["microkernel-info-list"]
# Sites that copy, mirror, proxy or re-host other pages (Wikipedia mirrors, link aggregators).
COPY_HOSTS = (
    "web.archive.org",
    "archive.ph",
    "archive.today",
    "wikiwand.com",
    "wikimili.com",
    "wikiclassic.com",
    "kiwix.",
    "liquisearch.com",
    "hn.masterscheme.cn",
    "tefter.io",
    "4ort.xyz",
    "free-courses.top",
    "zalansite.site",
    "canada-jobs.com",
    "piglix.com",
    "encycloreader.org",
    "infospaze.com",
    "owiki.org",
)
ENCYCLOPEDIA_HOSTS = ("wikipedia.org", "wikidata.org", "osdev.org", "osdev.wiki", "wiki.")
NEWS_HOSTS = (
    "osnews.com",
    "prohoster.info",
    "linuxfr.org",
    "infoq.com",
    "pipedot.org",
    "lwn.net",
    "phoronix.com",
    "theregister.com",
    "news.ycombinator.com",
    "heise.de",
)
PAPER_HOSTS = ("arxiv.org", "dl.acm.org", "usenix.org", "ieeexplore.ieee.org", "doi.org")
OWN_TYPES = ("readme", "license file", "git history", "build file", "documentation")
_BARE_IP = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[0-9]+(\.[0-9]+){3})$")


def _host_matches(host: str, patterns: tuple[str, ...]) -> bool:
    return any(
        host == p or host.endswith("." + p) or (p.endswith(".") and host.startswith(p))
        for p in patterns
    )


def classify(source: URIRef, kind: str, url: str, name: str) -> URIRef:
    """The kind of one source, from its IRI, dct:type, address and name."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    words = name.casefold()
    if source == LIST or host == "microkernel.info":
        return SOURCE_KIND["source-list"]
    if (
        _host_matches(host, COPY_HOSTS)
        or _BARE_IP.match(host)
        or re.search(r"\b(copy|mirror|proxied|archived)\b|wikipedia-derived", words)
    ):
        return SOURCE_KIND.copy
    if _host_matches(host, ENCYCLOPEDIA_HOSTS) or re.search(
        r"wikipedia|encyclopedia|\bwiki", words
    ):
        return SOURCE_KIND.encyclopedia
    if _host_matches(host, PAPER_HOSTS) or url.lower().endswith(".pdf") or "paper" in kind:
        return SOURCE_KIND.paper
    if _host_matches(host, NEWS_HOSTS) or re.search(r"\b(news|forum|link post)\b", words):
        return SOURCE_KIND.news
    if (
        kind.casefold() in OWN_TYPES
        or host in ("github.com", "gitlab.com", "codeberg.org")
        or re.search(r"\b(home ?page|project page|website)\b", words)
    ):
        return SOURCE_KIND.own
    return SOURCE_KIND.other


def classify_graph(graph: Graph) -> int:
    """Give every mk:Source without a kind its guessed kind; returns how many were classified."""
    added = 0
    for source in sorted(set(graph.subjects(RDF.type, MK.Source)), key=str):
        if not isinstance(source, URIRef) or (source, MK.sourceKind, None) in graph:
            continue
        kind = graph.value(source, DCTERMS.type)
        url = graph.value(source, SCHEMA.url)
        name = graph.value(source, RDFS.label)
        graph.add(
            (
                source,
                MK.sourceKind,
                classify(
                    source,
                    str(kind) if isinstance(kind, Literal) else "",
                    str(url or ""),
                    str(name or ""),
                ),
            )
        )
        added += 1
    return added
