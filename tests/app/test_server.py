"""``rift app``'s bad input: exit 2 with one paragraph before anything is served."""

from __future__ import annotations

import socket

import pytest

from rift.app import server
from rift.cli import main
from rift.errors import InputError


def test_a_bad_scenario_is_exit_2_naming_the_file(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\nend: 2031-13\n")
    assert main(["app", str(bad), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "end" in err and "Traceback" not in err


def test_a_taken_port_is_exit_2(capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        assert main(["app", "baseline", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert f"port {port}" in err and "--port" in err


def test_a_port_out_of_range_is_exit_2(capsys):
    assert main(["app", "--port", "70000"]) == 2
    assert "a port from 1 to 65535" in capsys.readouterr().err


def test_without_the_app_extra_the_message_says_how_to_install(monkeypatch):
    real = server.importlib.util.find_spec
    monkeypatch.setattr(
        server.importlib.util, "find_spec", lambda m: None if m == "solara" else real(m)
    )
    with pytest.raises(InputError, match=r'pip install -e "\.\[app\]"'):
        server.check_installed()
