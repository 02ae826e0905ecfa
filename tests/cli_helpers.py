"""Running the command line inside a test: exit code, output, and the checks of bad input."""

from __future__ import annotations

import textwrap
from pathlib import Path

from rift.cli import main


def cli(*args: str) -> tuple[int, str, str]:
    """Run the command line in this process: exit code, stdout, stderr."""
    import contextlib
    import io

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse's usage errors
            code = exc.code if isinstance(exc.code, int) else 2
    return code, out.getvalue(), err.getvalue()


def bad(code_out_err, *fragments: str) -> str:
    code, _, err = code_out_err
    assert code == 2, err
    assert "Traceback" not in err
    for frag in fragments:
        assert frag in err, (frag, err)
    return err


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    f = tmp_path / name
    f.write_text(textwrap.dedent(text))
    return f


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()
