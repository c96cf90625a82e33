"""Create a user of the data store from the command line: the first admin, then more by an admin.

No user and no password ship with the application: after installing, run this once to create
the first admin, who then adds everyone else in the app (Data › Users) or with ``--by`` here.

Usage::

    python scripts/admin.py [--name NAME] [--role admin|editor|viewer] [--by ADMIN]

- The store is the app's: ``RCD_DATABASE_URL`` (default the SQLite file
  ``data/store.sqlite``) and the other ``RCD_*`` settings or ``.streamlit/secrets.toml``, read
  by :mod:`geo.settings`. The script brings an older schema up to date, as the app does, but
  does not seed the demo resources (the app does that on its first start).
- The new user's password comes from the environment variable ``RCD_ADMIN_PASSWORD`` if it is
  set (for automated setups; it is removed from the environment once read), else it is asked
  twice without echo; on a mismatch, or a password the store refuses (fewer than 8
  characters, more than 72 bytes), it is asked again, 3 tries in all. Without a terminal and
  without the variable the script refuses instead of reading a password from a pipe.
- While the store has no admin, the user created is the first admin (``--role admin``, the
  default; another role is refused, ``--by`` is not needed and ignored).
- Once an admin exists, a user is created only by an admin: ``--by ADMIN`` logs in as that
  admin with the password from ``RCD_BY_PASSWORD`` or a prompt (a failed login counts
  against the app's login rate limit). Without ``--by`` the script refuses and points to the
  app's Data › Users tab.

Messages are printed in Chinese and English (``ui.i18n``). The passwords are never printed,
logged or put in an error message. Exit code 0 when the user was created; 1 when nothing was
created (an admin exists, a weak password, an existing name, a failed login, a database that
cannot be reached, a bad setting, Ctrl-C); 2 for a bad command line (argparse).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from geo.errors import GeoError, ValidationError  # noqa: E402
from ui.i18n import error_text, problem_text, t  # noqa: E402

if TYPE_CHECKING:
    from geo.store import Store, User

#: Environment variable holding the new user's password, and the one of the ``--by`` admin.
PASSWORD_ENV = "RCD_ADMIN_PASSWORD"
BY_PASSWORD_ENV = "RCD_BY_PASSWORD"
#: Tries at typing the new password (a mismatch or a refused password uses one).
MAX_TRIES = 3
#: The ``client`` a ``--by`` login is rate-limited as.
CLIENT = "cli:scripts/admin.py"
ROLES = ("admin", "editor", "viewer")
_PASSWORD_CODES = frozenset({"password_too_short", "password_too_long"})


class Refused(Exception):
    """Nothing was created; the reason has been printed."""


def say(key: str, *, out: TextIO | None = None, **params: Any) -> None:
    """Print catalogue message ``key`` in Chinese, then in English."""
    stream = out or sys.stdout
    print(t(key, "zh", **params), file=stream)
    print(t(key, "en", **params), file=stream)


def _refused(lang: str, reason: str) -> str:
    """"No user was created: <reason>" (no space after the Chinese full-width colon)."""
    return t("admin_cli_refused", lang) + ("" if lang == "zh" else " ") + reason


def say_error(exc: BaseException) -> None:
    """Print an engine error to stderr in Chinese and English, after "no user was created"."""
    for lang in ("zh", "en"):
        print(_refused(lang, error_text(exc, lang, prefix=None)), file=sys.stderr)


def _database_error(url: str, exc: BaseException) -> None:
    """Print an unexpected database error as ``store_unavailable``: first line only, no SQL."""
    lines = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    params = {"url": url, "error": lines[0] if lines else type(exc).__name__}
    for lang in ("zh", "en"):
        text = problem_text("store_unavailable", params, lang, params["error"])
        print(_refused(lang, text), file=sys.stderr)


def _prompt(key: str, ask: Callable[[str], str], **params: Any) -> str:
    return ask(f"{t(key, 'zh', **params)} / {t(key, 'en', **params)}: ")


def _can_prompt() -> bool:
    return sys.stdin is not None and sys.stdin.isatty()


def new_password(name: str, ask: Callable[[str], str]) -> str | None:
    """The new password typed twice alike, or None (the mismatch has been printed)."""
    first = _prompt("admin_cli_password", ask, name=name)
    second = _prompt("admin_cli_password_again", ask)
    if first != second:
        say("admin_cli_mismatch", out=sys.stderr)
        return None
    return first


def login_by(store: Store, by: str, ask: Callable[[str], str]) -> User:
    """Log in as the ``--by`` admin (password from :data:`BY_PASSWORD_ENV` or a prompt)."""
    password = os.environ.pop(BY_PASSWORD_ENV, None)
    if password is None:
        if not _can_prompt():
            say("admin_cli_no_terminal", out=sys.stderr, env=BY_PASSWORD_ENV)
            raise Refused
        password = _prompt("admin_cli_by_password", ask, by=by)
    return store.login(by, password, CLIENT)


def create(store: Store, name: str, role: str, by: str | None = None, *,
           ask: Callable[[str], str] | None = None) -> User:
    """Create user ``name`` with ``role`` in ``store`` as the script's rules say.

    Parameters
    ----------
    store : Store
        The open store.
    name, role : str
        The new user.
    by : str, optional
        An existing admin's name; needed once the store has an admin.
    ask : callable, optional
        Reads a password without echo (default ``getpass.getpass``).

    Returns
    -------
    User
        The created user.

    Raises
    ------
    Refused
        Nothing was created and the reason has been printed (no admin yet but another role,
        an admin exists but no ``--by``, no terminal to ask on, too many tries).
    GeoError
        From the store: a bad name, a weak password given by the environment, an existing
        name, a failed ``--by`` login, a database problem.
    """
    ask = ask or getpass.getpass
    author = None
    if store.has_admin():
        if by is None:
            say("admin_cli_admin_exists", out=sys.stderr)
            raise Refused
        author = login_by(store, by, ask)
    else:
        if role != "admin":
            say("admin_cli_first_must_be_admin", out=sys.stderr)
            raise Refused
        if by is not None:
            say("admin_cli_by_unused", out=sys.stderr, by=by)
        say("admin_cli_first_admin", name=name)
    given = os.environ.pop(PASSWORD_ENV, None)
    if given is not None:
        return store.create_user(name, given, role, by=author)
    if not _can_prompt():
        say("admin_cli_no_terminal", out=sys.stderr, env=PASSWORD_ENV)
        raise Refused
    for _ in range(MAX_TRIES):
        password = new_password(name, ask)
        if password is None:
            continue
        try:
            return store.create_user(name, password, role, by=author)
        except ValidationError as exc:
            if exc.code not in _PASSWORD_CODES:
                raise
            say_error(exc)
    say("admin_cli_too_many_tries", out=sys.stderr)
    raise Refused


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line (``--help`` shows it)."""
    parser = argparse.ArgumentParser(
        prog="scripts/admin.py",
        description="创建数据库用户（第一个管理员，或由管理员创建其他用户）/ "
                    "Create a user of the data store (the first admin, or others by an admin).",
        epilog=f"Password: ${PASSWORD_ENV} or a prompt; --by admin's password: "
               f"${BY_PASSWORD_ENV} or a prompt. Database: $RCD_DATABASE_URL.")
    parser.add_argument("--name", default="admin", help="new user's name (default: admin)")
    parser.add_argument("--role", default="admin", choices=ROLES,
                        help="new user's role (default: admin)")
    parser.add_argument("--by", metavar="ADMIN",
                        help="an existing admin who creates the user (needed once one exists)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the script; return the exit code (0 created, 1 nothing created)."""
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")  # Chinese on any console
    args = parse_args(argv)
    url = "?"
    store = None
    try:
        from geo.settings import SETTINGS  # a bad RCD_* setting raises here (SettingsError)
        from geo.store import open_store

        url = sa.engine.make_url(SETTINGS.database_url).render_as_string(hide_password=True)
        store = open_store(seed=False)
        user = create(store, args.name, args.role, args.by)
    except Refused:
        return 1
    except (KeyboardInterrupt, EOFError):
        print(file=sys.stderr)
        say("admin_cli_cancelled", out=sys.stderr)
        return 1
    except GeoError as exc:
        say_error(exc)
        return 1
    except (sa.exc.SQLAlchemyError, OSError) as exc:  # e.g. the SQLite folder not writable
        _database_error(url, exc)
        return 1
    finally:
        if store is not None:
            store.close()
    say("admin_cli_created", name=user.name, role=user.role)
    return 0


if __name__ == "__main__":
    sys.exit(main())
