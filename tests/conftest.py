"""Shared fixtures: every test runs with its own HOME (so its own cache folder) and an English locale.

``write_account`` and ``write_yaml`` put small files into the test's ``tmp_path``; ``runner`` is
a :class:`click.testing.CliRunner` for the command line.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANGUAGE")


@pytest.fixture(autouse=True)
def isolated_env(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads the developer's home directory, config or locale."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)  # the cache folder (rolefinder.cache) is under HOME
    monkeypatch.delenv("ROLEFINDER_CACHE_DIR", raising=False)
    monkeypatch.delenv("ROLEFINDER_NO_CACHE", raising=False)
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    for name in LOCALE_VARS:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def _writer(base: Path) -> Callable[..., Path]:
    def write(text: str, name: str = "account.yaml") -> Path:
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


@pytest.fixture
def write_yaml(tmp_path: Path) -> Callable[..., Path]:
    """``write_yaml(text, name)``: dedent ``text`` and write it as UTF-8 under ``tmp_path``."""
    return _writer(tmp_path)


@pytest.fixture
def write_account(tmp_path: Path) -> Callable[..., Path]:
    """``write_account(text, name="account.yaml")``: an account file under ``tmp_path``."""
    return _writer(tmp_path)
