"""DOIs as people write them (`https://doi.org/…`, `doi: …`, `\\url{…}`, any case): the one
place that knows the prefixes put in front of a DOI."""

from __future__ import annotations

import re

_PREFIX = re.compile(r"^(?:https?://)?(?:dx\.)?(?:doi\.org/|doi:\s*)", re.IGNORECASE)
_URL_MACRO = re.compile(r"\\url\s*\{([^{}]*)\}")


def without_doi_prefix(text: str) -> str:
    """The DOI with its resolver or `doi:` prefix taken off, otherwise as written (case kept).

    >>> without_doi_prefix("https://dx.doi.org/10.1000/ABC")
    '10.1000/ABC'
    """
    return _PREFIX.sub("", text)


def is_arxiv_doi(doi: str) -> bool:
    """Whether a bare DOI is one of arXiv's own (registrant 10.48550): an id, not a publication."""
    return doi.startswith("10.48550/")


def normalize_doi(value: str) -> str | None:
    """`https://doi.org/10.1000/ABC\\_1` → `10.1000/abc_1`, for comparing; None when it is
    not a DOI. Takes a BibTeX value as written (braces, `\\url`, `\\_`).

    >>> normalize_doi("https://doi.org/10.1145/3106237.3106277")
    '10.1145/3106237.3106277'
    >>> normalize_doi("{DOI: 10.1000/ABC\\\\_1}.")
    '10.1000/abc_1'
    """
    text = _URL_MACRO.sub(r"\1", value)
    text = text.replace("{", "").replace("}", "").strip()
    text = text.replace("\\_", "_").replace("\\%", "%").strip()
    text = without_doi_prefix(text).strip().rstrip(".").lower()
    return text if re.fullmatch(r"10\.\d{4,9}/\S+", text) else None
