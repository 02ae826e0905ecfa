"""The condition of a conditional intervention or shock (``when:``), parsed into plain data.

A condition is a line of text over the state a run ended the previous month in::

    winner_2030 in [centre, right]
    control_any > 450 and not rupture
    us.security_aid_cut and (decertified or happened(rupture))

What it may name (the names are those of :mod:`rift.record` and :mod:`rift.catalogue`):

* a **numeric outcome** compared with a number: ``control_any > 450``, ``cooperation_index <=
  0.4`` (``<``, ``<=``, ``>``, ``>=``, ``==``, ``!=``; ``rift outcomes`` lists them);
* a **state in force**, alone: a measure as shocks name it (``us.security_aid_cut``,
  ``col.extradition_suspension``), any 0/1 outcome (``rupture``: full rupture in force,
  ``inst_military``), or ``decertified`` (the latest September determination did not certify
  Colombia, with or without a waiver: ``certification in [decertified, waiver]``);
* a **category** with ``==``, ``!=``, ``in [...]`` or ``not in [...]``: ``certification``,
  ``president`` (the type in office), and the election results ``winner_2026`` and
  ``winner_2030`` (a bloc: left, centre, right). A result is known from the month after its
  runoff; before, every comparison with it is false;
* an **event** that has happened since the run's start: ``happened(deal)`` (a run from the
  present counts the present's history from 2025-01);
* ``and``, ``or``, ``not`` and parentheses (``not`` binds tightest, then ``and``, then ``or``).

:func:`parse_condition` returns nested tuples of strings and numbers (the model evaluates them
without importing this package, :mod:`rift.model.conditions`); :func:`format_condition` writes
one back as canonical text (what the scenario's stored form and hash hold).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from rift.catalogue import CATALOGUE, SIDES
from rift.errors import did_you_mean
from rift.record import BLOCS, RECORD

#: Longest condition text, and deepest nesting of parentheses and ``not``.
MAX_LENGTH = 1000
MAX_DEPTH = 20
#: The comparisons of a numeric outcome with a number.
NUMERIC_OPS = ("<", "<=", ">", ">=", "==", "!=")
#: The election results a condition may name, by the run value that holds each.
ELECTIONS: dict[str, str] = {"winner_2026": "winner", "winner_2030": "winner_2030"}
#: Words of the language (not names).
KEYWORDS = ("and", "or", "not", "in", "happened")

_TOKEN = re.compile(
    r"\s*(?:(?P<num>-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)(?![A-Za-z_.])"
    r"|(?P<op><=|>=|==|!=|<|>)|(?P<punct>[\[\](),])|(?P<name>[A-Za-z_][A-Za-z0-9_.]*))"
)


class ConditionError(ValueError):
    """A condition that does not parse, or names what rift does not know.

    Attributes:
        problem: What is wrong, with the position in the text.
        expected: What was expected there.
        hint: A close name, when one is.
    """

    def __init__(self, problem: str, expected: str, hint: str | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.expected = expected
        self.hint = hint


def _measures() -> dict[str, str]:
    """Dotted measure names (as shocks name them) → their 0/1 outcome columns."""
    return {f"{side}.{m.name}": m.column for side in SIDES for m in CATALOGUE.states(side)}


@dataclass(frozen=True)
class _Names:
    """What a condition may name, from the record as declared now."""

    numeric: tuple[str, ...]
    flags: tuple[str, ...]
    categories: dict[str, tuple[str, ...]]
    measures: dict[str, str]
    events: tuple[str, ...]

    @classmethod
    def now(cls) -> _Names:
        outs = RECORD.outcomes
        categories = {o.name: o.labels for o in outs if o.kind == "category"}
        categories.update({name: BLOCS for name in ELECTIONS})
        return cls(
            numeric=tuple(o.name for o in outs if o.kind not in ("category",)),
            flags=tuple(o.name for o in outs if o.kind == "flag"),
            categories=categories,
            measures=_measures(),
            events=tuple(e.name for e in RECORD.events),
        )

    def everything(self) -> list[str]:
        names = [*self.measures, *self.numeric, "decertified", *self.categories, "happened"]
        return list(dict.fromkeys(names))

    def events_text(self) -> str:
        plain = [e for e in self.events if not e.endswith(("_start", "_end", "_lapse"))]
        return (
            f"{', '.join(plain)}, or a measure's <column>_start / <column>_end "
            "(us_security_aid_cut_end), or <institution>_cooperation_lapse"
        )


#: What a condition may be made of, for messages.
WHAT = (
    "a measure in force (us.security_aid_cut, col.extradition_suspension, ...), a 0/1 outcome "
    "(rupture, inst_military, ...), decertified, a numeric outcome compared with a number "
    "(control_any > 450; rift outcomes lists them), a category (certification, president, "
    "winner_2026, winner_2030) with ==, != or in [...], or happened(EVENT); joined by and, or, "
    "not and parentheses"
)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.names = _Names.now()
        self.tokens: list[tuple[str, str, int]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                at = pos + len(text[pos:]) - len(text[pos:].lstrip())
                raise ConditionError(
                    f"unexpected character {text[at]!r} at position {at + 1}", WHAT
                )
            kind = m.lastgroup or ""
            start = m.start(kind)
            self.tokens.append((kind, m.group(kind), start))
            pos = m.end()
        self.i = 0
        self.depth = 0

    # -- tokens ----------------------------------------------------------------------------
    def _peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _where(self) -> str:
        tok = self._peek()
        return "at the end" if tok is None else f"at position {tok[2] + 1} ({tok[1]!r})"

    def _next(self, expected: str) -> tuple[str, str, int]:
        tok = self._peek()
        if tok is None:
            raise ConditionError("the condition ends too early", expected)
        self.i += 1
        return tok

    def _is(self, value: str) -> bool:
        tok = self._peek()
        return tok is not None and tok[1] == value and tok[0] in ("name", "punct", "op")

    def _expect(self, value: str, expected: str) -> None:
        if not self._is(value):
            raise ConditionError(f"expected {value!r} {self._where()}", expected)
        self.i += 1

    # -- grammar -----------------------------------------------------------------------------
    def parse(self) -> tuple:
        if not self.tokens:
            raise ConditionError("the condition is empty", WHAT)
        tree = self._or()
        if self._peek() is not None:
            raise ConditionError(
                f"unexpected {self._where()}", "'and', 'or' or the end of the condition"
            )
        return tree

    def _or(self) -> tuple:
        parts = [self._and()]
        while self._is("or"):
            self.i += 1
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else ("or", *parts)

    def _and(self) -> tuple:
        parts = [self._unary()]
        while self._is("and"):
            self.i += 1
            parts.append(self._unary())
        return parts[0] if len(parts) == 1 else ("and", *parts)

    def _unary(self) -> tuple:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError(
                f"more than {MAX_DEPTH} levels of parentheses and 'not'", "a simpler condition"
            )
        try:
            if self._is("not"):
                self.i += 1
                return ("not", self._unary())
            if self._is("("):
                self.i += 1
                tree = self._or()
                self._expect(")", "')' closing the '('")
                return tree
            return self._atom()
        finally:
            self.depth -= 1

    def _name(self, expected: str) -> tuple[str, int]:
        kind, value, pos = self._next(expected)
        if kind != "name" or value in KEYWORDS:
            raise ConditionError(f"expected a name at position {pos + 1}, got {value!r}", expected)
        return value, pos

    def _unknown(
        self, name: str, pos: int, choices: list[str], what: str, expected: str
    ) -> ConditionError:
        return ConditionError(
            f"unknown {what} '{name}' at position {pos + 1}",
            expected,
            did_you_mean(name, choices),
        )

    def _atom(self) -> tuple:
        n = self.names
        if self._is("happened"):
            self.i += 1
            self._expect("(", "happened(EVENT)")
            event, pos = self._name("an event name")
            if event not in n.events:
                raise self._unknown(event, pos, list(n.events), "event", n.events_text())
            self._expect(")", "')' closing happened(")
            return ("happened", event)
        name, pos = self._name("a condition such as control_any > 450")
        tok = self._peek()
        if tok is not None and tok[0] == "op":
            self.i += 1
            return self._compare(name, pos, tok[1])
        if self._is("in") or (self._is("not") and self._after_not_is_in()):
            negate = self._is("not")
            self.i += 2 if negate else 1
            return self._membership(name, pos, negate)
        if name in n.measures:
            return ("on", n.measures[name])
        if name in n.flags:
            return ("on", name)
        if name == "decertified":
            return ("in", "certification", ("decertified", "waiver"))
        if name in n.numeric or name in n.categories:
            raise ConditionError(
                f"'{name}' at position {pos + 1} needs a comparison",
                f"'{name} > NUMBER'"
                if name in n.numeric
                else f"'{name} in [{', '.join(n.categories[name])}]'",
            )
        raise self._unknown(name, pos, n.everything(), "name", WHAT)

    def _after_not_is_in(self) -> bool:
        tok = self.tokens[self.i + 1] if self.i + 1 < len(self.tokens) else None
        return tok is not None and tok[1] == "in"

    def _compare(self, name: str, pos: int, op: str) -> tuple:
        n = self.names
        if name in n.categories:
            if op not in ("==", "!="):
                raise ConditionError(
                    f"'{name}' is a category: it cannot be compared with {op!r}",
                    f"{name} == LABEL, != LABEL or in [...]",
                )
            label = self._label(name)
            labels = (label,) if op == "==" else tuple(x for x in n.categories[name] if x != label)
            return ("in", name, labels)
        if name in n.measures:
            raise ConditionError(
                f"'{name}' is a measure at position {pos + 1}: it is on or off",
                f"'{name}' alone (in force) or 'not {name}'",
            )
        if name not in n.numeric:
            raise self._unknown(
                name,
                pos,
                [*n.numeric, *n.categories],
                "outcome",
                "a numeric outcome (rift outcomes lists them) or a category (certification, "
                "president, winner_2026, winner_2030)",
            )
        kind, value, vpos = self._next("a number")
        if kind != "num":
            raise ConditionError(
                f"expected a number at position {vpos + 1}, got {value!r}",
                f"a number after '{name} {op}'",
            )
        number = float(value)
        if not math.isfinite(number):
            raise ConditionError(f"{value} is not a finite number", "a finite number")
        return ("cmp", name, op, number)

    def _label(self, name: str) -> str:
        labels = self.names.categories[name]
        kind, value, pos = self._next(f"one of: {', '.join(labels)}")
        if kind != "name" or value not in labels:
            raise ConditionError(
                f"unknown {_what(name)} {value!r} at position {pos + 1}",
                f"one of: {', '.join(labels)}",
                did_you_mean(value, labels),
            )
        return value

    def _membership(self, name: str, pos: int, negate: bool) -> tuple:
        n = self.names
        if name not in n.categories:
            raise ConditionError(
                f"'{name}' at position {pos + 1} is not a category",
                f"one of: {', '.join(n.categories)}",
                did_you_mean(name, list(n.categories)),
            )
        self._expect("[", f"[{', '.join(n.categories[name])}] after 'in'")
        chosen = [self._label(name)]
        while self._is(","):
            self.i += 1
            chosen.append(self._label(name))
        self._expect("]", "']' closing the list")
        labels = n.categories[name]
        keep = tuple(x for x in labels if (x in chosen) != negate)
        if not keep:
            raise ConditionError(
                f"'{name} not in [...]' at position {pos + 1} excludes every {_what(name)}: "
                "it never holds",
                f"a list that leaves out at least one of {', '.join(labels)}",
            )
        return ("in", name, keep)


def _what(name: str) -> str:
    return "bloc" if name in ELECTIONS else "label"


def parse_condition(text: str) -> tuple:
    """The condition ``text`` as plain data (see the module docstring for the language).

    Returns:
        Nested tuples: ``("and" | "or", part, ...)``, ``("not", part)``,
        ``("cmp", outcome, op, number)``, ``("in", category, (label, ...))``,
        ``("on", flag_outcome)`` or ``("happened", event)``.

    Raises:
        ConditionError: The text does not parse, or names what rift does not know.
    """
    if not isinstance(text, str):
        raise ConditionError(f"got {type(text).__name__}", "a condition as text")
    if len(text) > MAX_LENGTH:
        raise ConditionError(
            f"the condition is {len(text):,} characters long", f"at most {MAX_LENGTH:,}"
        )
    return _Parser(text).parse()


def _number(x: float) -> str:
    return str(int(x)) if x.is_integer() and abs(x) < 1e15 else repr(x)


def format_condition(tree: Any) -> str:
    """Canonical text of a parsed condition (``parse_condition`` of it gives ``tree`` back)."""
    columns = {v: k for k, v in _measures().items()}

    def fmt(t: Any, parent: str) -> str:
        head = t[0]
        if head in ("and", "or"):
            text = f" {head} ".join(fmt(p, head) for p in t[1:])
            return f"({text})" if parent in ("and", "not") or (parent == "or" == head) else text
        if head == "not":
            return f"not {fmt(t[1], 'not')}"
        if head == "cmp":
            return f"{t[1]} {t[2]} {_number(t[3])}"
        if head == "in":
            return f"{t[1]} in [{', '.join(t[2])}]"
        if head == "on":
            return columns.get(t[1], t[1])
        if head == "happened":
            return f"happened({t[1]})"
        raise ValueError(f"not a parsed condition: {t!r}")

    return fmt(tree, "")


def condition_names(tree: Any) -> set[str]:
    """The outcomes, election results and events a parsed condition reads."""
    if tree[0] in ("and", "or"):
        return set().union(*(condition_names(p) for p in tree[1:]))
    if tree[0] == "not":
        return condition_names(tree[1])
    return {tree[1]}


__all__ = [
    "ELECTIONS",
    "ConditionError",
    "condition_names",
    "format_condition",
    "parse_condition",
]
