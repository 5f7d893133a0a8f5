"""The LaTeX codec: what each note character becomes, how titles are protected, and back."""

from __future__ import annotations

import contextlib
import re
from unittest import mock

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from note2bib import latex
from note2bib.latex import decode, encode_name_part, encode_text, encode_title

# (name, note text, encoded) — every rule of encode_text, one case each.
ENCODE_TEXT = [
    ("plain", "Segment Anything", "Segment Anything"),
    ("backslash", "a\\b", r"a\textbackslash b"),
    ("open brace", "{", r"\textbraceleft{}"),
    ("close brace", "}", r"\textbraceright{}"),
    ("unpaired braces", "} x {", r"\textbraceright{} x \textbraceleft{}"),
    ("paired braces", "{x} }{ {", r"\{x\} \textbraceright \textbraceleft{} \textbraceleft{}"),
    ("percent", "100%", r"100\%"),
    ("hash", "#1", r"\#1"),
    ("ampersand", "R&D", r"R\&D"),
    ("dollar", "$5", r"\$${}$5"),
    ("two dollars", "~$0.40 / ~$1.10", r"\~{}\$${}$0.40 / \~{}\$${}$1.10"),
    ("underscore", "mm_sd_v15.ckpt", r"mm\_sd\_v15.ckpt"),
    ("tilde", "~/x", r"\~{}/x"),
    ("caret", "x^2", r"x\^{}2"),
    ("en dash ligature", "a--b", "a-{}-b"),
    ("em dash ligature", "a---b", "a-{}-{}-b"),
    ("open quotes", "``q", "`{}`q"),
    ("close quotes", "q''", "q'{}'"),
    ("inverted marks", "!` ?`", "!{}` ?{}`"),
    ("zotero marks", "!! ?! !?", "!{}! ?{}! !{}?"),
    ("zotero telephone sign", "TEL HOTEL Tel", "T{}EL HOT{}EL Tel"),
    ("guillemets and low quotes", "<< >> ,,", "<{}< >{}> ,{},"),
    ("newline", "a\nb", "a$ $\nb"),
    ("blank line", "a\n\nb", "a$ $\n$ $\nb"),
    ("two spaces", "a  b", "a {} b"),
    ("leading space", " a", "{} a"),
    ("trailing space", "a ", "a {}"),
    ("indented line", "a\n  b", "a$ $\n{} {} b"),
    ("field-like line", "x\nmode = fast", "x$ $\n{}mode = fast"),
    ("indented field-like line", "x\n  n-gpu=2", "x$ $\n{} {} n-gpu=2"),
    ("at at line start", "x\n@misc{k,", "x$ $\n{@}misc\\textbraceleft k,"),
    ("at before a parenthesis", "x\n@(y)", "x$ $\n{@}(y)"),
    ("at inside a line", "me@example.org", "me@example.org"),
    ("tab", "a\tb", "a$~$b"),
    ("hash or percent after a tab", "\t#\t%<", r"$~${}\#$~${}\%<"),
    ("carriage return", "a\r\nb", "a\\symbol{13}$ $\nb"),
    ("nul", "\x00", r"\symbol{0}"),
    ("no-break space", "a\xa0b", "a~b"),
    ("ideographic space", "a\u3000b", r"a\symbol{12288}b"),
    ("korean untouched", "작은 언어 모델", "작은 언어 모델"),
    ("shell", "$(brew --prefix)", r"\$${}$(brew -{}-prefix)"),
    (
        "tex input",
        r"\input{/etc/passwd}",
        r"\textbackslash input\{/etc/passwd\}",
    ),
]


@pytest.mark.parametrize(("name", "text", "encoded"), ENCODE_TEXT, ids=[c[0] for c in ENCODE_TEXT])
def test_encode_text(name: str, text: str, encoded: str) -> None:
    assert encode_text(text) == encoded
    assert decode(encoded) == text


def escaped_brace_depths(encoded: str) -> list[int]:
    """The nesting of the escaped braces after each one: BibTeX and pybtex count `\\{` and `\\}`,
    bibtexparser and Zotero do not."""
    depths, depth = [], 0
    for m in re.finditer(r"\\.", encoded):
        if m.group() in ("\\{", "\\}"):
            depth += 1 if m.group() == "\\{" else -1
            depths.append(depth)
    return depths


def test_a_brace_after_a_backslash_always_has_its_pair() -> None:
    # BibTeX counts `\{` as a brace and bibtexparser does not: written only in pairs, they end
    # the field at the same place for both. A lone brace is a word (`\textbraceleft`).
    encoded = encode_text("\\{\\}\\\\{ }\n\\ } { {x}")
    depths = escaped_brace_depths(encoded)
    assert depths == [1, 0, 1, 0, 1, 0]
    assert encoded.count("\\textbraceright") == encoded.count("\\textbraceleft") == 1


def test_deep_or_many_braces_are_words_past_a_limit() -> None:
    # pybtex refuses more than 100 nested braces; biber's LaTeX decoder spends time in
    # proportion to the field's length on every brace (48 s for 1,000 pairs in 250 KB); and
    # `biber --wraplines` cuts a run of more than 73 characters without a space, even between
    # `\` and `{`.
    deep = encode_text("{" * 1000 + "x" + "}" * 1000)
    assert max(escaped_brace_depths(deep)) == 20
    assert "\\{" * 21 not in deep
    many = encode_text("{x} " * 1000)
    assert many.count("\\{") == many.count("\\}") == 100
    assert decode(deep) == "{" * 1000 + "x" + "}" * 1000


def test_encoded_note_has_no_white_space_a_parser_would_collapse() -> None:
    encoded = encode_text(" a  \t\r\n\n  b \u2028\u3000 ")
    assert "  " not in encoded
    assert not any(c.isspace() and c not in " \n" for c in encoded)
    assert not encoded.startswith((" ", "\n")) and not encoded.endswith(" ")


# (name, arXiv title as the API gives it (fixtures), BibTeX title)
ENCODE_TITLE = [
    (
        "acronym (1810.04805)",
        "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
        "{BERT}: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    ),
    (
        "mixed case (2302.13971)",
        "LLaMA: Open and Efficient Foundation Language Models",
        "{LLaMA}: Open and Efficient Foundation Language Models",
    ),
    (
        "camel case (2307.04725)",
        "AnimateDiff: Animate Your Personalized Text-to-Image Diffusion Models without "
        "Specific Tuning",
        "{AnimateDiff}: Animate Your Personalized Text-to-Image Diffusion Models without "
        "Specific Tuning",
    ),
    (
        "acronyms inside (2307.00522)",
        "LEDITS: Real Image Editing with DDPM Inversion and Semantic Guidance",
        "{LEDITS}: Real Image Editing with {DDPM} Inversion and Semantic Guidance",
    ),
    (
        "math glued to a word (2306.03845)",
        "$ω$Test: WebView-Oriented Testing for Android Applications",
        r"{$\omega$Test}: {WebView}-Oriented Testing for Android Applications",
    ),
    (
        "math with Greek (1411.4413)",
        r"Observation of the rare $B^0_s\toμ^+μ^-$ decay from the combined analysis of CMS "
        "and LHCb data",
        r"Observation of the rare {$B^0_s\to\mu^+\mu^-$} decay from the combined analysis of "
        "{CMS} and {LHCb} data",
    ),
    (
        "percent (0704.0312)",
        "Power Spectra to 1% Accuracy between Dynamical Dark Energy Cosmologies",
        r"Power Spectra to 1\% Accuracy between Dynamical Dark Energy Cosmologies",
    ),
    (
        "ampersand (2302.03287)",
        "ChatGPT and Software Testing Education: Promises & Perils",
        r"{ChatGPT} and Software Testing Education: Promises \& Perils",
    ),
    (
        "quotes (2004.09471)",
        'Beyond just "flattening the curve": Optimal control of epidemics with purely '
        "non-pharmaceutical interventions",
        'Beyond just "flattening the curve": Optimal control of epidemics with purely '
        "non-pharmaceutical interventions",
    ),
    (
        "capital with digits (0704.0706)",
        "AKARI Detection of the Infrared-Bright Supernova Remnant B0104-72.3 in the Small "
        "Magellanic Cloud",
        "{AKARI} Detection of the Infrared-Bright Supernova Remnant {B0104}-72.3 in the Small "
        "Magellanic Cloud",
    ),
    ("acronym with number", "GPT-4 in 3D with T2I", "{GPT}-4 in {3D} with {T2I}"),
    ("capitalised words stay bare", "Segment Anything", "Segment Anything"),
    ("just a digit (2104.12255)", "0", "0"),
    (
        "accents (1607.08199 journal-ref)",
        "Épijournal de Géométrie Algébrique",
        r"{\'E}pijournal de G{\'e}om{\'e}trie Alg{\'e}brique",
    ),
    ("greek outside math", "ω-regular", r"{$\omega$}-regular"),
    ("lone dollar", "a $5 cost", r"a \$${}$5 cost"),
    ("unbalanced math is text", "a ${x$ b", r"a \$${}$\textbraceleft{}x\$${}$ b"),
    ("white space collapsed", "Two\n  lines", "Two lines"),
]


@pytest.mark.parametrize(
    ("name", "title", "encoded"), ENCODE_TITLE, ids=[c[0] for c in ENCODE_TITLE]
)
def test_encode_title(name: str, title: str, encoded: str) -> None:
    assert encode_title(title) == encoded


def test_title_keeps_utf8_for_biblatex() -> None:
    assert encode_title("Épijournal $μ$", ascii=False) == r"Épijournal {$\mu$}"


def test_title_options_for_headings_and_journal_refs() -> None:
    assert encode_title("LLaMA costs $5 and $6", math=False) == r"{LLaMA} costs \$${}$5 and \$${}$6"
    assert encode_title("LLaMA & GPT", protect=False) == r"LLaMA \& GPT"


def test_title_decodes_to_its_text() -> None:
    encoded = encode_title("ChatGPT and Software Testing Education: Promises & Perils")
    assert decode(encoded) == "ChatGPT and Software Testing Education: Promises & Perils"


# (name, name part as arXiv sends it (fixtures), BibTeX, biblatex)
ENCODE_NAME = [
    ("acute", "Dollár", r"Doll{\'a}r", "Dollár"),
    ("grave", "Rozière", r"Rozi{\`e}re", "Rozière"),
    ("sharp s", "Weißl", r"Wei{\ss}l", "Weißl"),
    ("slashed o", "Bjørnstad", r"Bj{\o}rnstad", "Bjørnstad"),
    ("ring", "Ekerå", r"Eker{\r{a}}", "Ekerå"),
    ("caron", "Pilař", r"Pila{\v{r}}", "Pilař"),
    ("hyphenated initials", "C.-P.", "C.-P.", "C.-P."),
    ("comma braced", "Smith, Jones", "Smith{,} Jones", "Smith{,} Jones"),
    ("and braced", "Black and Decker", "Black {and} Decker", "Black {and} Decker"),
    ("special escaped", "R&D", r"R\&D", r"R\&D"),
]


@pytest.mark.parametrize(
    ("name", "part", "bibtex", "biblatex"), ENCODE_NAME, ids=[c[0] for c in ENCODE_NAME]
)
def test_encode_name_part(name: str, part: str, bibtex: str, biblatex: str) -> None:
    assert encode_name_part(part) == bibtex
    assert encode_name_part(part, ascii=False) == biblatex
    assert decode(bibtex) == part


# (name, LaTeX as found in libraries, text)
DECODE = [
    ("empty tilde and caret", r"\~{} \^{}", "~ ^"),
    ("accented", r"\~n \^o {\"u}", "ñ ô ü"),
    ("text braces", r"\textbraceleft{}x\textbraceright{}", "{x}"),
    ("protective braces vanish", "{BERT} and {LLaMA}", "BERT and LLaMA"),
    ("space after control word dropped", "\\newline  x", "\nx"),
    ("line break macro", "a\\\\b", "a\nb"),
    ("tie", "a~b", "a\xa0b"),
    ("input reads nothing", r"\input{/etc/passwd}", ""),
    ("raw white space kept", "a\n\n  b\t", "a\n\n  b\t"),
    ("line-end mark", "a$ $\nb", "a\nb"),
    ("line-end mark, white space collapsed", "a$ $ $ $ {} b", "a\n\n b"),
    ("tab mark", "a$~$b", "a\tb"),
    ("a dollar's closing math is no mark", r"a\$${}$ $ $ b", "a$ \nb"),
    ("a line end written before the marks", "a\\newline\nb", "a\nb"),
]


@pytest.mark.parametrize(("name", "latex", "text"), DECODE, ids=[c[0] for c in DECODE])
def test_decode(name: str, latex: str, text: str) -> None:
    assert decode(latex) == text


@given(st.text())
@example("\\input{/etc/passwd} } { \\ %")
@example("@misc{x,\n  title = {y}}\n@comment{")
@example("작은 언어 모델 -- ``q'' !! ?!\r\n\t  \n")
@example(" \x00\x1f\x7f\x85\u2028\u3000\xa0 ")
def test_decode_inverts_encode_text(s: str) -> None:
    assert decode(encode_text(s)) == s


# --- the fast path for plain ASCII ---------------------------------------------------------

# Pieces that trigger every rule, beside the plain ASCII that takes the fast path: specials,
# ligature halves, `TEL`, spaces and line starts, field-like lines, non-ASCII, white space.
_PIECES = st.sampled_from(
    [
        *"abcXYZ019 .,:;!?'`-<>@=()[]|\"",
        "TEL",
        "T",
        "EL",
        "  ",
        "mode =",
        "and",
        "And",
        *"\\{}%#&$_~^",
        "$x^2$",
        "é",
        "ω",
        "\xa0",
        "\t",
        "\r",
        "\x00",
        "\u2028",
        "\n",
        "BERT",
    ]
)
_MOSTLY_ASCII = st.one_of(st.text(), st.lists(_PIECES, max_size=12).map("".join))
_NOTES = st.lists(_MOSTLY_ASCII, max_size=8).map("\n".join)
# Each case is a few microseconds: enough of them that every rule meets the fast path.
_MANY = settings(max_examples=1000)


def _without_fast_paths() -> contextlib.ExitStack:
    """The encoders with their fast paths switched off: every character through its rule."""
    stack = contextlib.ExitStack()
    stack.enter_context(mock.patch.object(latex, "_is_plain_line", lambda line: False))
    stack.enter_context(mock.patch.object(latex, "_is_plain_inline", lambda text: False))
    return stack


@_MANY
@given(_NOTES)
@example("Segment Anything")
@example("plain note: a line, no rule -- here")
def test_the_fast_path_of_notes_gives_what_the_rules_give(s: str) -> None:
    fast = encode_text(s)
    with _without_fast_paths():
        assert fast == encode_text(s)


@_MANY
@given(_MOSTLY_ASCII, st.booleans(), st.booleans(), st.booleans())
@example("Segment Anything in 3D with BERT", True, True, True)
def test_the_fast_path_of_titles_gives_what_the_rules_give(
    s: str, ascii: bool, protect: bool, math: bool
) -> None:
    fast = encode_title(s, ascii=ascii, protect=protect, math=math)
    with _without_fast_paths():
        assert fast == encode_title(s, ascii=ascii, protect=protect, math=math)


@_MANY
@given(_MOSTLY_ASCII, st.booleans())
@example("van der Sommen, Jr", True)
def test_the_fast_path_of_names_gives_what_the_rules_give(s: str, ascii: bool) -> None:
    fast = encode_name_part(s, ascii=ascii)
    with _without_fast_paths():
        assert fast == encode_name_part(s, ascii=ascii)


def test_plain_ascii_takes_the_fast_path() -> None:
    """The fast paths are taken for plain text (else the tests above compare a path with
    itself)."""
    assert latex._is_plain_line("A note, with: punctuation (and numbers 1-2).")
    assert latex._is_plain_inline("Segment Anything in 3D")
    assert not latex._is_plain_line("a--b")
    assert not latex._is_plain_inline("Dollár")
