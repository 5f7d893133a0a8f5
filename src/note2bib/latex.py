"""The one LaTeX codec: note text, arXiv titles and names to BibTeX-safe LaTeX, and back.

This is the only module that imports pylatexenc, and only when it is needed: for a character
outside ASCII, or to decode LaTeX.

Notes (`encode_text`) keep every character: `decode(encode_text(s)) == s` for every string,
whether the field is read back raw (bibtexparser) or with BibTeX's whitespace collapsing
(pybtex, bibtex, biber). Zotero's BibTeX import (BibTeX.js `unescapeBibTeX`) gets the note's
text with every white-space run made one space (it does that to any field) and no markup,
but for what no BibTeX can give it (below). The rules, and the quirk each one answers:

- Braces that pair up in the note become `\\{` and `\\}` (Zotero reads them as braces); the
  others, and `\\`, become `\\textbraceleft{}`, `\\textbraceright{}`, `\\textbackslash{}`:
  BibTeX counts `\\{` as a brace, so an unpaired one would swallow the rest of the file, and
  bibtexparser and Zotero do not, so only pairs are written that way. At most the first 100
  pairs, 20 deep: pybtex refuses more than 100 nested braces, biber's LaTeX decoder spends
  time in proportion to the field's length on every brace (48 s for 1,000 pairs in 250 KB),
  and `biber --wraplines` cuts a run of more than 73 characters without a space anywhere,
  even between `\\` and `{`.
- Those three control words end with a space (eaten when read, as TeX does) rather than
  `{}`, unless a space or the line's end follows: bibtex breaks its `.bbl` lines only at
  spaces (10,000 braces in a row made a 330 KB line; pdflatex stops at 200,000), and biber
  takes time quadratic in the number of `{}` groups in a field (minutes for 10,000).
- `% # & _` get a backslash; `~` and `^` become `\\~{}` and `\\^{}`. `$` becomes `\\$${}$`:
  Zotero drops the dollars of every `$…$` pair, escaped or not (`~\\$0.40 / ~\\$1.10` arrived
  with `\\0.40 / \\1.10` for the amounts); the empty formula `${}$` after `\\$` is the pair
  it takes.
- `--`, ``` `` ```, `''`, ``!` ``, ``?` ``, `!!`, `?!`, `!?`, `<<`, `>>`, `,,` get an empty
  group between their characters (`-{}-`), and `TEL` becomes `T{}EL`: LaTeX (OT1/T1
  ligatures), pylatexenc and Zotero's BibTeX import (`‼`, `⁈`, `⁉`, an en dash, `℡`) would
  print other characters.
- A newline becomes the empty formula `$ $` followed by a real line break. A LaTeX line break
  is a macro, which Zotero keeps as text (`\\newline` arrived in every note); `$ $` prints
  nothing, Zotero drops it, and it survives white-space collapsing, so `decode` still finds
  the line ends. It has no braces: biber drops the outer pair of `{{}}` and is slow on braces
  (above). Styles that print notes (chicago-annote, biblatex `reading`) print each one as a
  single paragraph.
- A tab becomes `$~$` (a space in print and in Zotero). `{}` separates the last `$` of a tab
  or a dollar from a `\\#` or `\\%` after it: Zotero's table turns `$\\#$` into `⋕` and
  `$\\%<$` into `✁`.
- A space is kept, but a second space in a row, a space at the start of a line and a space at
  the end of the field get `{}` first/after: pybtex, bibtex and biber collapse white-space
  runs into one space and strip the ends.
- Other white space and control characters (CR, NUL, U+2028, U+3000, ...) become
  `\\symbol{N}` (N = code point): parsers would collapse or choke on them raw. The field stays
  valid BibTeX; when a style prints it, LuaLaTeX/XeLaTeX print the character, pdfLaTeX prints
  font slot N (and fails above 255, as it does for Hangul). U+00A0 becomes `~`.
- A line that looks like the start of a field (`tok = value`, as in pasted code) gets `{}` at
  its start: biber warns "possible runaway string" otherwise.
- `@` at the start of a line becomes `{@}`: bibtexparser v2 takes `@name{` or `@name(` at a
  line start as a new entry even inside a braced value (measured: the entry fails).

What Zotero cannot be given: `~` (its table turns `\\~` into U+223C, the tilde operator, and
every bare `~` into a space), a backslash (LaTeX prints one only from a macro with letters,
and `\\\\` is a line break; Zotero shows `\\textbackslash`), a brace with no pair
(`\\textbraceleft`), and the characters written `\\symbol{N}` (`\\symbolN`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

from note2bib.bibtex_syntax import balanced

_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "%": r"\%",
    "#": r"\#",
    "&": r"\&",
    "$": r"\$${}$",
    "_": r"\_",
    "~": r"\~{}",
    "^": r"\^{}",
}
# The specials written as control words, ended by a space rather than `{}` where one can be.
_WORD_MACROS = {c: _SPECIALS[c].removesuffix("{}") + " " for c in "\\{}"}
_LIGATURES = frozenset({"--", "``", "''", "!`", "?`", "!!", "?!", "!?", "<<", ">>", ",,"})
_FIELD_START = re.compile(r"\s*[\w-]+\s*=")
_NEWLINE = "$ $\n"
_TAB = "$~$"
# Read back before pylatexenc sees them: our line ends and tabs (after any `\$`, and after a
# whole `\$${}$`, whose last `$` is not the start of one).
_MARKS = re.compile(r"\\\$\$\{\}\$|\\.|(\$ \$[ \t\n]?)|(\$~\$)", re.S)
_MAX_PAIRS = 100
_MAX_DEPTH = 20
_MATH = re.compile(r"\$[^$]+\$")
_WORD = re.compile(r"[^\W_]+")
_ENSUREMATH = re.compile(r"^\{?\\ensuremath\{(.*?)\}\}?$", re.S)
_MATH_SPECIAL = re.compile(r"(?<!\\)([%#&])")


# --- notes ------------------------------------------------------------------------------


def encode_text(s: str) -> str:
    """Note text → a BibTeX field value that decodes back to exactly `s` (see module doc)."""
    paired = _paired_braces(s)
    lines, start = [], 0
    for line in s.split("\n"):
        lines.append(_encode_line(line, paired, start))
        start += len(line) + 1
    out = _NEWLINE.join(lines)
    # pybtex/bibtex strip the value: an empty group keeps a final space.
    return out + "{}" if out.endswith(" ") else out


def _paired_braces(s: str) -> set[int]:
    """Where `s` has a `{` or `}` written `\\{`/`\\}`: the first pairs, not nested too deep."""
    if "{" not in s or "}" not in s:
        return set()  # most notes: no pair, and no character-by-character walk to find none
    match: dict[int, int] = {}
    opened: list[int] = []
    for i, c in enumerate(s):
        if c == "{":
            opened.append(i)
        elif c == "}" and opened:
            match[opened.pop()] = i
    paired: set[int] = set()
    closes: list[int] = []  # the closing braces of the escaped pairs still open
    for i in sorted(match):
        while closes and closes[-1] < i:
            closes.pop()
        if len(paired) < 2 * _MAX_PAIRS and len(closes) < _MAX_DEPTH:
            paired.update((i, match[i]))
            closes.append(match[i])
    return paired


def _encode_line(line: str, paired: set[int], start: int) -> str:
    """One line of a note (at `start` in it): specials escaped, ligatures and space runs broken."""
    if _is_plain_line(line):
        return line
    out: list[str] = []
    if line.startswith(" ") or _FIELD_START.match(line):
        out.append("{}")
    prev = ""
    for i, c in enumerate(line):
        if c == " ":
            out.append("{} " if prev == " " else " ")
        elif c == "@" and i == 0:
            out.append("{@}")
        elif prev + c in _LIGATURES or (prev == "T" and line[i : i + 2] == "EL"):
            out.append("{}" + c)
        elif start + i in paired:
            out.append("\\" + c)
        elif c in "#%" and out and out[-1].endswith("$"):
            out.append("{}" + _SPECIALS[c])
        elif c in _WORD_MACROS and line[i + 1 : i + 2] not in ("", " "):
            out.append(_WORD_MACROS[c])
        else:
            out.append(_encode_char(c))
        prev = c
    return "".join(out)


def _encode_char(c: str) -> str:
    """One character of a note other than space and newline."""
    if c in _SPECIALS:
        return _SPECIALS[c]
    if c == "\xa0":
        return "~"
    if c == "\t":
        return _TAB
    if c.isspace() or unicodedata.category(c) == "Cc":
        return rf"\symbol{{{ord(c)}}}"
    return c


# The fast paths below return plain ASCII text as it is: most of a note, a title or a name is
# that, and the rules above, applied a character at a time, give it back unchanged. Which
# characters qualify is asked of those rules (so a new rule is never bypassed); the rules of
# neighbours (ligatures, space runs, a line's start) are checked on the whole line.
_PRINTABLE_ASCII = [chr(code) for code in range(0x20, 0x7F)]
_NOTE_ITSELF = re.compile(
    "[ " + re.escape("".join(c for c in _PRINTABLE_ASCII if _encode_char(c) == c)) + "]*"
)
_NEIGHBOURS = re.compile("|".join(re.escape(pair) for pair in sorted(_LIGATURES | {"TEL", "  "})))


def _is_plain_line(line: str) -> bool:
    """A line `_encode_line` gives back unchanged: self-encoding characters, single spaces,
    no ligature, nothing at its start that a rule changes."""
    return (
        _NOTE_ITSELF.fullmatch(line) is not None
        and not line.startswith((" ", "@"))
        and _NEIGHBOURS.search(line) is None
        and _FIELD_START.match(line) is None
    )


# --- titles and other one-line fields -----------------------------------------------------


def encode_title(s: str, *, ascii: bool = True, protect: bool = True, math: bool = True) -> str:
    """An arXiv title → BibTeX: acronyms and mixed-case words braced, `$…$` kept as math.

    `ascii` writes non-ASCII text as LaTeX (`{\\'o}`) for bibtex styles, which cut UTF-8 when
    they abbreviate, and what pdflatex cannot print as ASCII (`비교` → `Bigyo`, see
    `_transliterate_unprintable`); biblatex output passes `ascii=False`. `protect=False`
    braces nothing (journal-ref, abstract); `math=False` treats `$` as text (headings typed by
    the user). White space runs become one space.
    """
    text = " ".join(s.split())
    if _is_plain_inline(text):
        # No math and nothing to encode or transliterate: only words that need braces change.
        return _WORD.sub(_protected_word, text) if protect else text
    if ascii:
        text = _transliterate_unprintable(text)
    out: list[str] = []
    unit: list[tuple[str, str]] = []  # adjacent words and math spans: one protection unit
    for kind, part in _title_tokens(text, math):
        if kind == "other":
            out.append(_encode_unit(unit, ascii, protect))
            unit = []
            out.append("".join(_encode_inline_char(c, ascii) for c in part))
        else:
            unit.append((kind, part))
    out.append(_encode_unit(unit, ascii, protect))
    return "".join(out)


def _protected_word(m: re.Match[str]) -> str:
    return "{" + m[0] + "}" if _needs_braces(m[0]) else m[0]


def _title_tokens(text: str, math: bool) -> list[tuple[str, str]]:
    """Split into `math` spans (balanced braces only), `word`s and single `other` chars."""
    tokens: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        m = _MATH.match(text, pos) if math else None
        if m and balanced(m.group()):
            tokens.append(("math", m.group()))
        elif m := _WORD.match(text, pos):
            tokens.append(("word", m.group()))
        else:
            tokens.append(("other", text[pos]))
            pos += 1
            continue
        pos = m.end()
    return tokens


def _encode_unit(unit: list[tuple[str, str]], ascii: bool, protect: bool) -> str:
    """Words and math glued together (`$ω$Test`): braced when math or mixed case is inside."""
    if not unit:
        return ""
    body = "".join(
        _encode_math(part) if kind == "math" else _encode_word(part, ascii) for kind, part in unit
    )
    has_math = any(kind == "math" for kind, _ in unit)
    shape = "".join("m" if kind == "math" else part for kind, part in unit)
    return "{" + body + "}" if has_math or (protect and _needs_braces(shape)) else body


def _needs_braces(word: str) -> bool:
    """An acronym or mixed-case word (`BERT`, `LLaMA`, `T2I`, `3D`), or a capital with digits."""
    upper_inside = any(c.isupper() for c in word[1:])
    return upper_inside or (any(c.isupper() for c in word) and any(c.isdigit() for c in word))


def _encode_word(word: str, ascii: bool) -> str:
    """Letters and digits; only non-ASCII ones change."""
    return "".join(_encode_inline_char(c, ascii) for c in word)


def _encode_inline_char(c: str, ascii: bool) -> str:
    """One character of a title, name or journal-ref outside math."""
    if c in _SPECIALS:
        return _SPECIALS[c]
    if c.isascii() or not ascii:
        return c if c.isprintable() else " "
    latex = _to_latex(c)
    inner = _ENSUREMATH.match(latex)
    # A Greek letter outside math: `{$\omega$}`, which both BibTeX and LaTeX read as one unit.
    return "{$" + inner.group(1) + "$}" if inner else latex


def _encode_math(span: str) -> str:
    """A `$…$` span: TeX kept, non-ASCII as math macros (`μ` → `\\mu`), `% # &` escaped."""
    out: list[str] = []
    body = _MATH_SPECIAL.sub(r"\\\1", span)
    for i, c in enumerate(body):
        if c.isascii():
            out.append(c)
            continue
        latex = _to_latex(c)
        inner = _ENSUREMATH.match(latex)
        macro = inner.group(1) if inner else r"\mbox{" + latex + "}"
        following = body[i + 1 : i + 2]
        # `\mu` followed by a letter would read as another macro name.
        out.append(macro + " " if following.isascii() and following.isalpha() else macro)
    return "".join(out)


_INLINE_ITSELF = re.compile(
    "["
    + re.escape("".join(c for c in _PRINTABLE_ASCII if _encode_inline_char(c, True) == c))
    + "]*"
)


def _is_plain_inline(text: str) -> bool:
    """Text each of whose characters `_encode_inline_char` gives back unchanged."""
    return _INLINE_ITSELF.fullmatch(text) is not None


def _transliterate_unprintable(text: str) -> str:
    """Each run of characters pdflatex cannot print in a default document → ASCII (anyascii).

    Hangul, CJK, Cyrillic and the rest need packages (kotex, CJKutf8, T2A fonts) or another
    engine; a title or name in the ASCII-safe BibTeX must compile anywhere, and the note
    (`annote`) keeps the original. A run from a script without case (Hangul, CJK) is one
    capitalised word (`비교` → `Bigyo`, not anyascii's syllable by syllable `BiGyo`).
    """
    prints = _pdflatex_prints()
    out: list[str] = []
    for unprintable, run in groupby(text, lambda c: not c.isascii() and ord(c) not in prints):
        chars = "".join(run)
        if not unprintable:
            out.append(chars)
            continue
        from anyascii import anyascii  # 6 ms to load: only for what pdflatex cannot print

        ascii = anyascii(chars)
        caseless = all(c.lower() == c.upper() for c in chars)
        out.append(ascii[:1].upper() + ascii[1:].lower() if caseless else ascii)
    return "".join(out)


@cache
def _pdflatex_prints() -> frozenset[int]:
    """The code points of `pdflatex_prints.txt`: those whose LaTeX pdflatex prints as it is."""
    # Read beside this module, not with importlib.resources: that would cost 6 ms of start-up
    # (tempfile, zipfile…), and note2bib is not installed zipped.
    table = Path(__file__).with_name("pdflatex_prints.txt").read_text("utf-8")
    points: set[int] = set()
    for line in table.splitlines():
        for span in line.split() if not line.startswith("#") else ():
            first, _, last = span.partition("-")
            points.update(range(int(first, 16), int(last or first, 16) + 1))
    return frozenset(points)


@cache
def _to_latex(c: str) -> str:
    """pylatexenc's LaTeX for one non-ASCII character, braced (`{\\'o}`); itself if unknown."""
    return str(_encoder().unicode_to_latex(c))


@cache
def _encoder() -> Any:
    from pylatexenc.latexencode import UnicodeToLatexEncoder

    return UnicodeToLatexEncoder(
        non_ascii_only=True,
        replacement_latex_protection="braces-all",
        unknown_char_policy="keep",
        unknown_char_warning=False,
    )


# --- names ---------------------------------------------------------------------------------

_AND = re.compile(r"(?<!\S)(and)(?!\S)", re.IGNORECASE)


def encode_name_part(s: str, *, ascii: bool = True) -> str:
    """One part of a person's name (given, von, family, jr) for a BibTeX `author` field.

    Non-ASCII becomes braced LaTeX (`Doll{\\'a}r`) unless `ascii=False` (biblatex keeps
    UTF-8); specials are escaped; a comma or a word `and` is braced, since BibTeX would read
    it as a name separator.
    """
    text = " ".join(s.split())
    if not _is_plain_inline(text):
        if ascii:
            text = _transliterate_unprintable(text)
        text = "".join(_encode_inline_char(c, ascii) for c in text)
    text = text.replace(",", "{,}")
    return _AND.sub(r"{\1}", text) if _AND.search(text) else text


# --- decoding ------------------------------------------------------------------------------


def decode(s: str) -> str:
    """LaTeX from a BibTeX value → text; the inverse of `encode_text`, white space exact.

    Braces that only group vanish, `\\textbraceleft{}`/`\\~{}`/`\\^{}` give `{`/`~`/`^`;
    our line-end mark `{{}}` (with the one white-space character after it), `\\newline` and
    `\\\\` give a line break (white space after a control word is dropped, as in TeX); our tab
    mark `{~}` gives a tab, `\\symbol{N}` chr(N). `\\input` and `\\include` read nothing.
    """
    from pylatexenc import latexwalker

    s = _MARKS.sub(_read_mark, s)
    walker = latexwalker.LatexWalker(s, latex_context=_walker_context(), tolerant_parsing=True)
    nodes, _, _ = walker.get_latex_nodes()
    return str(_decoder().nodelist_to_text(nodes))


def _read_mark(m: re.Match[str]) -> str:
    """A line-end or tab mark as the macro pylatexenc reads; anything else as it is."""
    return "\\newline " if m.group(1) else r"\symbol{9}" if m.group(2) else m.group()


@cache
def _walker_context() -> Any:
    """pylatexenc's parser context plus the argument shapes of the macros we write."""
    from pylatexenc import latexwalker, macrospec

    ctx = latexwalker.get_default_latex_context_db()
    ctx.add_context_category(
        "note2bib",
        prepend=True,
        macros=[
            macrospec.MacroSpec("symbol", "{"),
            macrospec.MacroSpec("newline", ""),
            macrospec.MacroSpec("textbraceleft", ""),
            macrospec.MacroSpec("textbraceright", ""),
            macrospec.MacroSpec("textbackslash", ""),
        ],
    )
    return ctx


@cache
def _decoder() -> Any:
    """LatexNodes2Text with our macros and TeX's spacing rules (nothing added, nothing lost)."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    ctx = get_default_latex_context_db()
    ctx.add_context_category(
        "note2bib",
        prepend=True,
        macros=[
            MacroTextSpec("textbraceleft", "{"),
            MacroTextSpec("textbraceright", "}"),
            MacroTextSpec("textbackslash", "\\"),
            MacroTextSpec("newline", "\n"),
            MacroTextSpec("symbol", simplify_repl=_symbol),
            # pylatexenc's default turns `\~{}` and `\^{}` into nothing.
            MacroTextSpec("~", simplify_repl=_accent("~", "\N{COMBINING TILDE}")),
            MacroTextSpec("^", simplify_repl=_accent("^", "\N{COMBINING CIRCUMFLEX ACCENT}")),
            # Never read a file named in a library or a note.
            MacroTextSpec("input", ""),
            MacroTextSpec("include", ""),
        ],
    )
    return LatexNodes2Text(latex_context=ctx, strict_latex_spaces=True, math_mode="text")


def _symbol(n: Any, l2tobj: Any) -> str:
    """`\\symbol{N}` → chr(N); anything unreadable → nothing."""
    arg = l2tobj.nodelist_to_text(n.nodeargs[:1]).strip() if n.nodeargs else ""
    try:
        return chr(int(arg))
    except (ValueError, OverflowError):
        return ""


def _accent(alone: str, combining: str) -> Callable[[Any, Any], str]:
    """An accent macro: on an empty group the character itself, else the accented letter."""

    def text(n: Any, l2tobj: Any) -> str:
        args = [a for a in (n.nodeargs or []) if a is not None]
        arg = l2tobj.nodelist_to_text(args[:1]) if args else ""
        return alone if arg == "" else unicodedata.normalize("NFC", arg + combining)

    return text
