"""Where tvauth keeps its files: the one caller of platformdirs.

By default config, tokens and logs follow the platform's conventions. ``TVAUTH_HOME`` moves all three
under one root (``config/``, ``data/``, ``logs/``), for kiosks, containers and tests. Importing this
module is cheap; platformdirs is imported only when a default location is needed.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["HOME_ENV", "TvauthPaths", "ensure_private_dir", "resolve_paths"]

HOME_ENV = "TVAUTH_HOME"
_APP = "tvauth"


@dataclass(frozen=True, slots=True)
class TvauthPaths:
    """The three directories tvauth writes to."""

    config_dir: Path
    data_dir: Path
    log_dir: Path

    @property
    def config_file(self) -> Path:
        """The TOML configuration file."""
        return self.config_dir / "config.toml"

    @property
    def tokens_dir(self) -> Path:
        """Token profiles live here, one file each."""
        return self.data_dir / "tokens"


def resolve_paths(environ: dict[str, str] | None = None) -> TvauthPaths:
    """The directories for this process: ``TVAUTH_HOME`` if set, else the platform's."""
    env = os.environ if environ is None else environ
    home = env.get(HOME_ENV, "").strip()
    if home:
        root = Path(home).expanduser()
        return TvauthPaths(root / "config", root / "data", root / "logs")
    import platformdirs

    return TvauthPaths(
        Path(platformdirs.user_config_dir(_APP, appauthor=False)),
        Path(platformdirs.user_data_dir(_APP, appauthor=False)),
        Path(platformdirs.user_log_dir(_APP, appauthor=False)),
    )


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and the parents it lacks) as 0700, with no moment where one is more open.

    Each directory is made with mode 0700, which a umask can only narrow, then set to 0700 (a
    umask may have taken the owner's own bits). The process umask is left alone: it is shared
    with every thread of an embedding program. An existing directory keeps its mode; callers
    that care check it.
    """
    missing: list[Path] = []
    probe = path
    while not probe.is_dir() and probe.parent != probe:
        missing.append(probe)
        probe = probe.parent
    for directory in reversed(missing):
        try:
            os.mkdir(directory, 0o700)
        except FileExistsError:
            if directory.is_dir():
                continue  # made meanwhile by another process; it keeps its mode
            raise
        os.chmod(directory, 0o700)
    return path
