"""A scenario file read safely: bounded YAML, duplicate keys refused, key paths with lines.

YAML anchors and aliases let a small file describe an enormous document ("billion laughs":
nine levels of ten aliases expand to 10**9 nodes). The file is composed into YAML nodes
without constructing anything, then checked with limits that keep memory and time bounded
whatever the input: the file size, the nesting depth, and the number of nodes the document
would have with every alias expanded (counted once per distinct node, so counting is cheap).
Aliases are not expanded to map key paths to line numbers either.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from rift.errors import InputError

#: Largest scenario file read, in bytes.
MAX_FILE_BYTES = 1_000_000
#: Deepest nesting of mappings and lists.
MAX_DEPTH = 40
#: Most nodes of the document with every alias expanded.
MAX_NODES = 100_000

#: libyaml's loader when PyYAML has it (25 times faster than the pure-Python one): a 1 MB
#: file of 100,000 values is composed in well under a second. Depth and size are checked on
#: its event stream first, so its recursive composer never sees a document over the limits.
_CLoader: type | None = getattr(yaml, "CSafeLoader", None) if yaml.__with_libyaml__ else None


class _LimitError(Exception):
    """A YAML document over one of the limits (with the line where it was found)."""

    def __init__(self, problem: str, expected: str, line: int | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.expected = expected
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    """PyYAML's safe loader, composing with a depth limit."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                mark = self.peek_event().start_mark
                raise _LimitError(
                    f"the document is nested more than {MAX_DEPTH} levels deep",
                    "a scenario of ordinary depth",
                    mark.line + 1,
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


class _TooManyValuesError(_LimitError):
    """A plain document (no aliases needed) with more values than any scenario holds."""

    def __init__(self, line: int | None = None) -> None:
        super().__init__(
            f"the document has more than {MAX_NODES:,} values",
            "a scenario of ordinary size (a few hundred values)",
            line,
        )


def _check_events(text: str) -> None:
    """Depth and size on libyaml's event stream, before anything is composed."""
    depth = nodes = 0
    events = yaml.parse(text, Loader=_CLoader)
    while True:
        try:
            event = next(events)
        except StopIteration:
            return
        except yaml.MarkedYAMLError as exc:  # libyaml's own limit (1,000) on flow collections
            if "nesting depth" not in str(exc.problem):
                raise
            mark = exc.problem_mark
            raise _LimitError(
                f"the document is nested more than {MAX_DEPTH} levels deep",
                "a scenario of ordinary depth",
                mark.line + 1 if mark else None,
            ) from None
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _LimitError(
                    f"the document is nested more than {MAX_DEPTH} levels deep",
                    "a scenario of ordinary depth",
                    event.start_mark.line + 1,
                )
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            continue
        elif not isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
            continue
        nodes += 1
        if nodes > MAX_NODES:
            raise _TooManyValuesError(event.start_mark.line + 1)


def _check_nodes(root: yaml.Node) -> None:
    """Refuse cycles, oversized expansions, non-text keys and duplicate keys.

    The expanded size of a node is 1 plus the expanded sizes of its children; it is computed
    once per distinct node (aliases share nodes), iteratively, so a deep or recursive document
    costs no Python recursion.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            on_path.discard(key)
            total = 1 + sum(size[id(c)] for c in _children(node))
            if total > MAX_NODES:
                if total > len(size) + 1:  # more values than distinct nodes: aliases repeat
                    raise _LimitError(
                        f"the document expands to more than {MAX_NODES:,} values "
                        "(YAML anchors and aliases repeated inside each other)",
                        "a scenario without nested aliases",
                        node.start_mark.line + 1,
                    )
                raise _TooManyValuesError(node.start_mark.line + 1)
            size[key] = total
            continue
        if key in size:
            continue
        if key in on_path:
            raise _LimitError(
                "a YAML alias refers to the value that contains it (a cycle)",
                "aliases that refer to finished values",
                node.start_mark.line + 1,
            )
        if isinstance(node, yaml.MappingNode):
            _check_keys(node)
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _check_keys(node: yaml.MappingNode) -> None:
    seen: dict[str, int] = {}
    for key_node, _ in node.value:
        line = key_node.start_mark.line + 1
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag != "tag:yaml.org,2002:str":
            shown = key_node.value if isinstance(key_node, yaml.ScalarNode) else "a collection"
            raise _LimitError(
                f"the key {shown!r} is not text",
                "keys that are names (quote numbers, true/false/yes/no used as keys)",
                line,
            )
        if key_node.value in seen:
            raise _LimitError(
                f"the key '{key_node.value}' appears twice (lines {seen[key_node.value]} "
                f"and {line})",
                "each key once in a mapping",
                line,
            )
        seen[key_node.value] = line


def _line_map(root: yaml.Node | None) -> dict[tuple, int]:
    """Key paths of the document to their 1-based lines, each node visited once."""
    out: dict[tuple, int] = {}
    if root is None:
        return out
    seen: set[int] = set()
    stack: list[tuple[yaml.Node, tuple]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        out.setdefault(path, node.start_mark.line + 1)
        if id(node) in seen:  # an alias: its own lines are already mapped
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                p = (*path, k.value)
                out.setdefault(p, k.start_mark.line + 1)
                stack.append((v, p))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
    return out


def path_text(path: Sequence[Any]) -> str:
    """A key path as text: ``interventions[0].set.us.intel_sharing``."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


class Document:
    """A scenario document: its data, its file name and the line of each key path.

    Args:
        data: The parsed mapping.
        file: The file name shown in messages.
        lines: Key paths to line numbers.
        path: The file's path (for ``extends`` relative to it), or None.
    """

    def __init__(
        self,
        data: dict[str, Any],
        file: str,
        lines: Mapping[tuple, int] | None = None,
        path: Path | None = None,
    ) -> None:
        self.data = data
        self.file = file
        self.lines = dict(lines or {})
        self.path = path
        #: Key paths set from the command line, by their root key: ``--set KEY=VALUE``.
        self.overridden: dict[tuple, str] = {}

    @classmethod
    def read(cls, path: Path, *, echo: bool = True) -> Document:
        """Read and parse a scenario file within the limits above.

        Only a regular file is read (a FIFO, a device or a socket is refused without
        blocking). With ``echo=False`` (a file named by ``extends``, which may be anything)
        no message quotes the file's contents.
        """
        file = str(path)
        raw = _read_regular(path, file)
        if len(raw) > MAX_FILE_BYTES:
            raise InputError(
                f"the file is larger than {MAX_FILE_BYTES:,} bytes",
                file=file,
                expected="a scenario file (a few kilobytes)",
            )
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InputError(
                f"not UTF-8 text (byte {exc.start})", file=file, expected="a UTF-8 YAML file"
            ) from None
        return cls.parse(text, file, path, echo=echo)

    @classmethod
    def parse(
        cls, text: str, file: str, path: Path | None = None, *, echo: bool = True
    ) -> Document:
        """Parse YAML text within the limits above (``echo=False``: messages quote nothing)."""
        loader = None
        try:
            if _CLoader is not None:
                yaml.reader.Reader(text)  # the characters, checked as the Python loader does
                _check_events(text)
                loader = _CLoader(text)
            else:  # pragma: no cover - PyYAML without libyaml
                loader = _BoundedLoader(text)  # the reader checks the characters here
            root = loader.get_single_node()
            if root is not None:
                _check_nodes(root)
            data = loader.construct_document(root) if root is not None else None
        except _LimitError as exc:
            where = f" at line {exc.line}" if exc.line else ""
            if not echo and not isinstance(exc, _TooManyValuesError):
                raise _not_a_scenario(file, f"{where.strip() or 'its structure'}") from None
            raise InputError(f"{exc.problem}{where}", file=file, expected=exc.expected) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            if not echo:
                raise _not_a_scenario(file, f"YAML syntax error{where}") from None
            problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
            raise InputError(
                f"YAML syntax error{where}: {problem}",
                file=file,
                expected="valid YAML (check indentation, colons and quotes)",
            ) from None
        except RecursionError:  # pragma: no cover - the depth limit comes first
            raise InputError("the document is nested too deeply", file=file) from None
        except (ValueError, OverflowError, TypeError) as exc:  # e.g. a date such as 2025-02-30
            if not echo:
                raise _not_a_scenario(file, "a value that cannot be read") from None
            raise InputError(
                f"a value cannot be read ({exc})",
                file=file,
                expected="valid YAML values (quote text that looks like a date or a number)",
            ) from None
        finally:
            if loader is not None:
                loader.dispose()
        if data is None:
            data = {}
        if not isinstance(data, dict):
            raise InputError(
                f"the document is a {type(data).__name__}",
                file=file,
                expected="a mapping of scenario keys (name, start, end, ...)",
            )
        return cls(data, file, _line_map(root), path)

    def key(self, path: Sequence[Any]) -> str:
        """The key path as text, with its line (or the ``--set`` that gave it)."""
        p = tuple(path)
        for root, flag in self.overridden.items():
            if p[: len(root)] == root:
                return flag
        text = path_text(p)
        line = None
        while p and line is None:
            line = self.lines.get(p)
            p = p[:-1]
        return f"{text} (line {line})" if line else text


def _not_a_scenario(file: str, where: str) -> InputError:
    """A file named by ``extends`` that is not a scenario (its contents are not quoted)."""
    return InputError(
        f"not a scenario file ({where})",
        file=file,
        expected="a scenario YAML file to extend",
    )


def path_problem(exc: OSError) -> str:
    """What is wrong with a path the system refused, in words (no file contents)."""
    if exc.errno == errno.ENAMETOOLONG:
        return "the path is longer than the system allows"
    if exc.errno == errno.ELOOP:
        return "the path has too many symbolic links"
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return "file not found"
    if exc.errno == errno.EACCES:
        return "permission denied"
    return f"cannot read the file ({exc.strerror or exc})"


def _read_regular(path: Path, file: str) -> bytes:
    """The first ``MAX_FILE_BYTES + 1`` bytes of a regular file, never blocking on another."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise InputError("file not found", file=file, expected="a scenario YAML file") from None
    except IsADirectoryError:
        raise InputError("is a folder", file=file, expected="a scenario YAML file") from None
    except (OSError, ValueError) as exc:
        problem = path_problem(exc) if isinstance(exc, OSError) else "not a valid path"
        raise InputError(problem, file=_short(file), expected="a scenario YAML file") from None
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise InputError("is a folder", file=file, expected="a scenario YAML file")
        if not stat.S_ISREG(mode):
            raise InputError(
                "is not a regular file (a pipe, device or socket)",
                file=file,
                expected="a scenario YAML file",
            )
        chunks: list[bytes] = []
        size = 0
        while size <= MAX_FILE_BYTES:
            chunk = os.read(fd, MAX_FILE_BYTES + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise InputError(path_problem(exc), file=file, expected="a scenario YAML file") from None
    finally:
        os.close(fd)


def _short(text: str, limit: int = 120) -> str:
    """A long path or key cut for a message (its start and end kept)."""
    return text if len(text) <= limit else f"{text[: limit // 2]}...{text[-limit // 2 + 3 :]}"
