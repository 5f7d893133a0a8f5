"""What headings and link labels say: the parts of a reading note, README boilerplate, labels.

Pure word lists and the tests that use them. They are deliberately general (what reading
notes and repository READMEs call their parts in English, Korean, Chinese and Japanese), and
only ever second to structure: a heading is a part when it is short and says "Summary" or
"참고 문헌", or is numbered like a chapter.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from note2bib.titles import STOPWORDS

# The parts of a note about one paper (and of a paper): its sections are these, not papers.
_PART_WORDS = """
abstract summary summaries tldr tl;dr overview introduction intro background motivation
problem problems method methods methodology approach architecture experiment experiments
result results evaluation evaluations analysis discussion conclusion conclusions limitation
limitations future related references reference bibliography citation citations notes note
thoughts thought comments comment takeaways takeaway idea ideas contribution contributions
strengths weaknesses critique review questions question metadata meta info information links
link resources resource code implementation appendix appendices glossary terms keywords
highlights details setup training inference ablation ablations figures quotes quote reading
materials highlights insights remarks personal opinion reflection reflections pros cons
annotations annotation definitions concepts important see also
findings outline preliminaries formulation objective objectives goal goals dataset datasets
요약 초록 개요 배경 동기 서론 방법 방법론 구조 실험 결과 평가 분석 논의 결론 한계 한계점 향후 관련
참고 참고문헌 문헌 메모 생각 느낀 느낀점 소감 정리 용어 기여 장점 단점 질문 정보 코드 링크 부록
리뷰 핵심 아이디어 인용 기본 목차 키워드 배운 토론 의의 시사점
摘要 概括 概要 总结 背景 动机 引言 方法 模型 实验 结果 评估 分析 讨论 结论 局限 不足 未来 相关 参考
文献 笔记 思考 反思 感想 信息 代码 链接 附录 贡献 创新 问题 要点 手法 実験 結果 考察 結論 メモ
"""
# Sections of a repository README that are about the repository, never a paper.
_BOILERPLATE_WORDS = """
license licence licensing contents toc legend contact contacts contributing
contribution contributors contribute acknowledgements acknowledgments acknowledgement
acknowledgment thanks citation cite citing changelog installation install usage faq support
sponsors sponsor star history badges about
라이선스 라이센스 목차 범례 연락처 문의 기여 감사 인용 설치 사용법
许可 目录 联系 贡献 致谢 引用 安装
"""
# Words a link or a line puts before a paper's link instead of its title: "[PDF](…)",
# "[Research Paper](…)", "paper: https://…".
_LABEL_WORDS = """
paper papers pdf arxiv abs abstract html link links code github gitlab demo project page site
website homepage blog post article video slides slide summary note notes source sources resource
resources research official here this download repo repository model models dataset data
weights checkpoint poster talk youtube huggingface hf space openreview doi url full text
preprint published version supplementary supp live view read more details online paperswithcode
title review reviews detailed implementation implementations reimplementation tensorflow pytorch
keras jax theano caffe chainer mxnet unofficial explanation explained walkthrough author authors
논문 코드 깃허브 깃헙 링크 데모 블로그 영상 발표자료 자료 프로젝트 모델 데이터 원문 요약 노트 제목
리뷰
论文 代码 链接 项目 主页 视频 博客 原文 数据
"""

PART_WORDS = frozenset(_PART_WORDS.split())
# Parts only when alone: "## Paper" holds a note's link, "## Paper A" is a paper.
_ALONE_PART_WORDS = frozenset(("paper", "논문", "论文", "論文", "link"))
BOILERPLATE_WORDS = frozenset(_BOILERPLATE_WORDS.split())
LABEL_WORDS = frozenset(_LABEL_WORDS.split())

# "1.", "2.1", "IV.", "A -", "Part 2:", "Step 3)" in front of a heading; a section's number
# needs no stop ("4.2 A Trick for …"), nor a space after the stop ("1.Introduction").
_NUMBERING = re.compile(
    r"^\s*(?:(?:part|section|chapter|step|제)\s*)?"
    r"(?:(?:\d+(?:\.\d+)*|[ivx]+|[a-z])(?:\s*[.):\-\u2013—]|\s+-)\s+"
    r"|\d+(?:\.\d+)+\.?\s+|\d+\.(?=[^\W\d_]))",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:[;'\u2019][^\W_]+)*", re.UNICODE)
_MAX_PART_WORDS = 5
"""A part heading is short: a longer one that happens to say "analysis" is a title."""


def words(text: str) -> list[str]:
    """The words of a heading or label, lower case, symbols and emoji dropped."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return _WORD.findall(text)


def is_numbered(heading: str) -> bool:
    """Whether a heading starts like a chapter: `1.`, `2.1`, `A -`, `Part 2:`."""
    return bool(_NUMBERING.match(heading))


def without_numbering(heading: str) -> str:
    return _NUMBERING.sub("", heading, count=1)


def is_part_heading(heading: str) -> bool:
    """Whether a heading names a part of a reading note ("Summary", "2. 방법론 분석")."""
    text = without_numbering(heading)
    return _says(text, PART_WORDS) or [w for w in words(text) if w != "the"] in (
        [word] for word in _ALONE_PART_WORDS
    )


def is_boilerplate(heading: str) -> bool:
    """Whether a heading names a README section about the repository ("License", "목차")."""
    return _says(without_numbering(heading), BOILERPLATE_WORDS)


def is_label(text: str) -> bool:
    """Whether link text or the words before a link only say what it is ("PDF", "Code",
    "Video explanation by authors": small words allowed between label words)."""
    # "paper's github repository", "Other Summary": whose it is and which one, still a label.
    found = [_POSSESSIVE.sub("", w) for w in words(text)]
    if not found:
        return True
    while len(found) > 1 and found[0] in _QUALIFIERS:
        found = found[1:]
    ends = (found[0], found[-1])
    if not all(w in LABEL_WORDS or w.isdigit() for w in ends):
        return False  # "Paper A" is a paper's name
    return all(w in LABEL_WORDS or w.isdigit() or w in STOPWORDS for w in found[1:-1])


_POSSESSIVE = re.compile("['\u2019]s$")
# Words that pick one link among others: "Other Summary", "Official code", "More details".
_QUALIFIERS = frozenset(
    ("other", "another", "more", "official", "original", "alternative", "additional", "further")
)


def _says(heading: str, vocabulary: frozenset[str]) -> bool:
    """A short heading most of whose words are in the vocabulary ("Materials and Methods",
    "2. 논문 요약"); in Korean and Chinese a word may carry a particle or more characters."""
    every = words(heading)
    found = [w for w in every if w not in STOPWORDS] or every  # "About" is a stopword too
    if not found or len(found) > _MAX_PART_WORDS:
        return False
    hits = sum(1 for word in found if _in(word, vocabulary))
    return 2 * hits >= len(found)


def _in(word: str, vocabulary: frozenset[str]) -> bool:
    if word in vocabulary:
        return True
    # Korean particles and Chinese compounds attach to the word: 참고문헌, 관련연구와의; and a
    # compound ends with what it is: 文章总结, 论文总结 (the article's, the paper's summary).
    return not word.isascii() and any(
        len(v) >= 2 and not v.isascii() and (word.startswith(v) or word.endswith(v))
        for v in vocabulary
    )


# Where a repository sends its readers to talk, follow or subscribe: a profile, a server, a
# channel or a mailing list on these is never a paper (a post's own page may be).
_SOCIAL_HOST_NAMES = """
twitter.com x.com discord.gg discord.com t.me telegram.me linkedin.com facebook.com
instagram.com bsky.app threads.net mastodon.social join.slack.com slack.com patreon.com
buymeacoffee.com ko-fi.com eepurl.com mailchi.mp reddit.com youtube.com
"""
_SOCIAL_HOSTS = frozenset(_SOCIAL_HOST_NAMES.split())
_NEWSLETTER_HOSTS = (".substack.com", ".beehiiv.com", ".buttondown.email", ".mailchimpsites.com")
# A call to action: "Subscribe to our newsletter", "Follow us on Twitter", "Join our Discord".
_ACTION_WORDS = frozenset(("subscribe", "follow", "join", "sign", "signup", "donate", "sponsor"))
_AUDIENCE_WORDS = frozenset(
    (
        *("us", "our", "newsletter", "mailing", "channel", "community", "server"),
        *("discord", "twitter", "slack", "telegram"),
    )
)


def is_appeal(text: str) -> bool:
    """Whether words speak to the reader rather than name a paper: a call to action
    ("Follow us on Twitter") or an appeal from the list's authors ("We need your
    contributions!", "Help us improve the list!")."""
    found = words(text)
    if found and found[0] in _ACTION_WORDS and _AUDIENCE_WORDS.intersection(found[1:]):
        return True
    if not _PERSONS.intersection(found):
        return False
    asking = any(w.startswith(("contribut", "help", "suggest")) for w in found)
    return asking or text.rstrip(" *_").endswith("!")


# The reader and the list's authors: an exclamation with these is said to someone.
_PERSONS = frozenset(("we", "us", "our", "you", "your"))


def is_social_link(text: str, href: str) -> bool:
    """Whether a link only invites the reader somewhere (a social profile, a chat server, a
    newsletter), which a reading list shows as a badge or a line and is never a paper."""
    if is_appeal(text):
        return True
    parts = urlsplit(href.strip())
    host = parts.netloc.lower().removeprefix("www.")
    segments = [s for s in parts.path.split("/") if s]
    if host.endswith(_NEWSLETTER_HOSTS) and not segments:
        return True
    # A profile, an invite or a server's page: one path segment (a post or a video has more).
    return host in _SOCIAL_HOSTS and len(segments) <= 1 and not parts.query
