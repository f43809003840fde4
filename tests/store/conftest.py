"""Fixtures for the token store tests: a store in tmp_path and a profile factory."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from store_data import profile_factory

from tvauth.profile import Profile
from tvauth.store import TokenStore


@pytest.fixture
def make_profile() -> Callable[..., Profile]:
    return profile_factory


@pytest.fixture
def tokens_dir(tmp_path: Path) -> Path:
    return tmp_path / "home" / "data" / "tokens"


@pytest.fixture
def warnings_seen() -> list[str]:
    return []


@pytest.fixture
def store(tokens_dir: Path, warnings_seen: list[str]) -> TokenStore:
    return TokenStore(tokens_dir, on_warning=warnings_seen.append, lock_timeout=10.0)
