"""The notes' other links (code, project page, demo, article…), each with what it points at.

Pure: the label the note puts before a link decides first (`site :`, `깃허브`, `demo:`), then
the host (github.com is code, *.github.io a project page, huggingface.co/spaces a demo).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import urlsplit

from note2bib.arxiv.ids import find_arxiv_ids
from note2bib.model import Link, LinkKind, Unit
from note2bib.notes.markdown import find_links

# The word right before a link on its line: "site : https://…", "- GitHub: https://…".
_LABEL = re.compile(r"([^\W\d_][\w-]*)\s*[:\uff1a]?\s*[(\[<]?$", re.UNICODE)

_LABELS: dict[str, LinkKind] = {
    **dict.fromkeys(
        (
            "github",
            "gitlab",
            "code",
            "source",
            "repo",
            "repository",
            "소스",
            "코드",
            "깃허브",
            "깃헙",
        ),
        "code",
    ),
    **dict.fromkeys(("project", "site", "page", "homepage", "website", "프로젝트"), "project"),
    **dict.fromkeys(("demo", "데모", "space", "playground"), "demo"),
    **dict.fromkeys(("blog", "article", "post", "news", "블로그", "기사"), "article"),
    **dict.fromkeys(("video", "youtube", "talk", "영상"), "video"),
    **dict.fromkeys(("model", "weights", "checkpoint", "모델"), "model"),
    **dict.fromkeys(("dataset", "data", "데이터셋", "데이터"), "data"),
    **dict.fromkeys(("paper", "pdf", "논문"), "paper"),
}

_CODE_HOSTS = (
    "github.com",
    "gist.github.com",
    "raw.githubusercontent.com",
    "gitlab.com",
    "bitbucket.org",
    "codeberg.org",
    "colab.research.google.com",
)
_PAPER_HOSTS = (
    "openreview.net",
    "aclanthology.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "doi.org",
    "dx.doi.org",
    "proceedings.neurips.cc",
    "papers.nips.cc",
    "proceedings.mlr.press",
    "openaccess.thecvf.com",
    "www.semanticscholar.org",
    "link.springer.com",
    "www.nature.com",
    "www.science.org",
)
# Where else a paper itself is: publishers, proceedings, preprint servers, paper indexes.
_PUBLISHER_HOSTS = (
    "aclweb.org",
    "jmlr.org",
    "aaai.org",
    "ijcai.org",
    "iclr.cc",
    "nips.cc",
    "neurips.cc",
    "ecva.net",
    "bmva.org",
    "isca-speech.org",
    "biorxiv.org",
    "medrxiv.org",
    "arxiv.org",
    "pnas.org",
    "sciencedirect.com",
    "onlinelibrary.wiley.com",
    "academic.oup.com",
    "direct.mit.edu",
    "researchgate.net",
    "citeseerx.ist.psu.edu",
    "ssrn.com",
    "ncbi.nlm.nih.gov",
    "hal.science",
    "semanticscholar.org",
    "nature.com",
    "science.org",
    "cell.com",
    "plos.org",
    "frontiersin.org",
    "mdpi.com",
)
_DOI = re.compile(r"(?<!\d)10\.\d{4,9}/")
_VIDEO_HOSTS = ("www.youtube.com", "youtube.com", "youtu.be", "vimeo.com")
_ARTICLE_HOSTS = (
    # Shared documents and blog platforms whose addresses say nothing of a blog: what is
    # written there is about a paper (a summary, an explainer), never the paper.
    "docs.google.com",
    "notion.so",
    "notion.site",
    "hackmd.io",
    "paper.dropbox.com",
    "medium.com",
    "substack.com",
    "velog.io",
    "tistory.com",
    "zhuanlan.zhihu.com",
    "wikidocs.net",
    "towardsdatascience.com",
)


def other_links(units: Iterable[Unit]) -> tuple[Link, ...]:
    """Every link in the notes that is not an arXiv paper, first appearance first, once each."""
    seen: dict[str, Link] = {}
    for unit in units:
        wanted = set(unit.links)
        # Line by line, only the links on that line: trying every link of the unit on
        # every line made a long note (thousands of lines, a link on each) quadratic.
        for line in unit.text.split("\n"):
            if "://" not in line:
                continue
            for url in find_links(line):
                if url not in wanted or url in seen or find_arxiv_ids(url):
                    continue
                seen[url] = Link(url, link_kind(url, line[: line.find(url)]))
    return tuple(seen.values())


def link_kind(url: str, before: str = "") -> LinkKind:
    """What a link points at, from the label before it on its line, else from its host."""
    label = _LABEL.search(before.rstrip())
    if label and label.group(1).casefold() in _LABELS:
        return _LABELS[label.group(1).casefold()]
    parts = urlsplit(url)
    host, path = parts.netloc.lower(), parts.path
    if host in _CODE_HOSTS:
        return "code"
    if host.endswith(".github.io"):
        return "project"
    if host in ("huggingface.co", "hf.co"):
        if path.startswith("/spaces/"):
            return "demo"
        if path.startswith("/datasets/"):
            return "data"
        return "model" if path.count("/") >= 2 else "other"
    if host.endswith(".hf.space") or host in ("replicate.com",):
        return "demo"
    if host in _VIDEO_HOSTS:
        return "video"
    if host in _PAPER_HOSTS:
        return "paper"
    bare = host.removeprefix("www.")
    if (
        "blog" in host
        or "/blog" in path
        or any(bare == h or bare.endswith("." + h) for h in _ARTICLE_HOSTS)
    ):
        return "article"
    return "other"


def is_paper_link(url: str) -> bool:
    """Whether a link points at a paper itself: a PDF, a DOI, a publisher's, proceedings' or
    preprint server's page (not a blog post, a summary, code or a slide deck)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        return False
    host = parts.netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    if host in _PAPER_HOSTS or parts.path.lower().endswith(".pdf") or _DOI.search(url):
        return True
    bare = host.removeprefix("www.")
    return any(bare == h or bare.endswith("." + h) for h in _PUBLISHER_HOSTS)


def is_commentary_link(url: str) -> bool:
    """Whether a link points at something about a paper rather than a paper: code, a video,
    a blog post or article, a demo, a model or a data set."""
    parts = urlsplit(url.strip())
    if "blog" in parts.netloc.lower() or "/blog" in parts.path.lower():
        return True
    return link_kind(url) in ("code", "video", "article", "demo", "model", "data")
