"""Hostile input, shared by the property tests: text no upstream should send but some do,
and mutations of well-formed upstream records (missing fields, wrong types, null, huge
strings, NUL, lone surrogates, deep nesting)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

MB = 1024 * 1024

# Characters that break storage or parsing: NUL and other controls, lone surrogates (what
# "\ud800" in JSON decodes to), a byte-order mark, bidi overrides, line and paragraph
# separators, a non-character.
NASTY_CHARS = "\x00\x01\x08\x0b\x0c\x1b\x7f\x85\u00a0\u2028\u2029\u202e\ufeff\uffff\ud800\udfff"

# Pieces of what real comments are made of, so the cleaning's passes actually run.
FRAGMENTS = [
    "The VPN keeps dropping, this is terrible.",
    "Thanks, works now!",
    "<p>",
    "</p>",
    "<br>",
    "<script>alert(1)</script>",
    "<style>p{}</style>",
    "<div class='x'>",
    "<",
    ">",
    "&amp;",
    "&#0;",
    "&#xD800;",
    "&lt;b&gt;",
    "\n",
    "\r\n",
    "\n\n\n",
    "  ",
    "\t",
    "> quoted line",
    "On Mon, 3 Mar 2026, Ivan wrote:",
    "From: it@corp.example",
    "Kind regards,",
    "Regards\nMaria",
    "--",
    "Cheers!",
    "reply above this line",
    "This is an automated message",
    "anna@corp.example",
    "@ivan",
    "https://corp.example/x?y=1",
    "INC0012345",
    "ITSD-42",
    "#1234",
    ":rage:",
    "😠",
]

any_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=200)
nasty_text = st.lists(
    st.sampled_from(FRAGMENTS) | st.sampled_from(list(NASTY_CHARS)) | any_text, max_size=25
).map("".join)


@st.composite
def huge_text(draw: st.DrawFn, size: int = MB) -> str:
    """About `size` characters: one repeated piece (cheap to build), hostile ones included."""
    piece = draw(st.sampled_from(FRAGMENTS + ["\x00", "\ud800", "x", " \n", "<script>", "a."]))
    return (piece * (size // max(1, len(piece)) + 1))[:size]


def deep(depth: int, leaf: Any = "x") -> Any:
    """`depth` levels of nested lists and objects around `leaf`."""
    value: Any = leaf
    for i in range(depth):
        value = [value] if i % 2 else {"a": value}
    return value


def deep_json(depth: int) -> bytes:
    """`depth` levels of nested objects and lists as JSON text (json.dumps would recurse)."""
    half = depth // 2
    return b'{"a":[' * half + b'"x"' + b"]}" * half


def json_scalars() -> st.SearchStrategy[Any]:
    return st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(2**70), max_value=2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        nasty_text,
    )


def json_values(*, max_depth: int = 200, huge: int = 200_000) -> st.SearchStrategy[Any]:
    """Any JSON value an upstream could send in place of the expected one."""
    nested = st.recursive(
        json_scalars(),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=6,
    )
    return st.one_of(
        json_scalars(),
        nested,
        st.integers(min_value=2, max_value=max_depth).map(deep),
        huge_text(huge),
        st.sampled_from(["", " ", "\x00", "\ud800", "null", "0", "-1", "1e309", "NaN"]),
        st.sampled_from([[], {}, [None], {"": None}]),
    )


@st.composite
def mutate(
    draw: st.DrawFn,
    record: dict[str, Any],
    *,
    protected: frozenset[str] = frozenset(),
    max_depth: int = 200,
    huge: int = 200_000,
) -> list[str]:
    """Mutate `record` in place: 1-4 times, pick a field (at any depth) and delete it or
    replace it with a value of another type, null, a huge or hostile string, or a deeply
    nested value. Keys in `protected` (at the top level: what the fake server itself reads
    to serve the record) are left alone. Returns what was done, for the failure report."""
    done: list[str] = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        parent: Any = record
        path: list[str] = []
        while True:
            if isinstance(parent, dict):
                keys = [k for k in parent if path or k not in protected]
            elif isinstance(parent, list):
                keys = list(range(len(parent)))
            else:
                keys = []
            if not keys:
                break
            key = draw(st.sampled_from(keys))
            child = parent[key]
            if isinstance(child, dict | list) and child and draw(st.booleans()):
                parent, path = child, [*path, str(key)]
                continue
            action = draw(st.sampled_from(["delete", "replace", "replace"]))
            where = ".".join([*path, str(key)])
            if action == "delete" and isinstance(parent, dict):
                del parent[key]
                done.append(f"del {where}")
            else:
                value = draw(json_values(max_depth=max_depth, huge=huge))
                parent[key] = value
                done.append(f"{where} = {_short(value)}")
            break
    return done


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:60]}... ({len(text)} chars)"


# Bytes that are not UTF-8: a lone continuation byte, an overlong encoding, an encoded
# surrogate, a truncated sequence, Latin-1 text, a UTF-16 byte-order mark.
INVALID_UTF8 = [
    b"\x80",
    b"\xc0\xaf",
    b"\xed\xa0\x80",
    b"\xe2\x82",
    b"caf\xe9",
    b"\xff\xfe",
    b"\xf5",
]


@st.composite
def not_utf8(draw: st.DrawFn, around: bytes = b"") -> bytes:
    """Bytes that do not decode as UTF-8, with `around` (valid text) on either side."""
    bad = draw(st.sampled_from(INVALID_UTF8))
    junk = draw(st.binary(max_size=30))
    cut = draw(st.integers(min_value=0, max_value=len(around)))
    data = around[:cut] + bad + junk + around[cut:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    return data + b"\xff"  # the junk completed the sequence: 0xFF never occurs in UTF-8
