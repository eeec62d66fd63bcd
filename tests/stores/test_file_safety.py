"""FileStore trusts nothing in its directory to point elsewhere, and keeps the
directory its owner's alone. Errors are typed ``StoreError``s, themselves ``TokenError``s."""

from __future__ import annotations

import os
import pickle
import stat
from pathlib import Path

import pytest

from provider_tokens import TokenError
from provider_tokens.stores import FileStore, StoreError
from provider_tokens.stores._guard import GuardedStore
from provider_tokens.testing import ManualClock

from store_support import Bounded, stored


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_key_file_that_is_a_link_is_never_followed(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    store.put("victim", stored("another-credentials-token"))
    (tmp_path / "k.json").symlink_to(tmp_path / "victim.json")
    with pytest.raises(StoreError, match="symbolic link"):
        store.get("k")
    # Through a source's guard: nothing there, so the source fetches its own.
    shared = GuardedStore(store, key="k", provider="example", clock=ManualClock())
    assert shared.get() is None


def test_a_lock_file_that_is_a_link_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    store = FileStore(tmp_path / "tokens")
    outside = tmp_path / "elsewhere"
    (tmp_path / "tokens" / "k.lock").symlink_to(outside)  # dangling: O_CREAT would make it
    with pytest.raises(StoreError, match="symbolic link"):
        with store.lock("k"):
            pass
    with pytest.raises(StoreError):
        store._try_lock("k")
    assert not outside.exists()


def test_a_fifo_in_place_of_a_token_does_not_hang_a_read(tmp_path: Path) -> None:
    store = FileStore(tmp_path)
    os.mkfifo(tmp_path / "k.json")  # opening it to read would wait for a writer
    call = Bounded(lambda: store.get("k"), within=5)
    with pytest.raises(StoreError, match="not a regular file"):
        call.result()


def test_a_directory_others_can_write_to_is_made_private_when_ours(tmp_path: Path) -> None:
    directory = tmp_path / "shared"
    directory.mkdir()
    directory.chmod(0o777)
    FileStore(directory)
    assert mode(directory) == 0o700


def test_a_sticky_shared_directory_is_refused_not_closed(tmp_path: Path) -> None:
    # Like /tmp: closing it to its other users would break them.
    directory = tmp_path / "tmp-like"
    directory.mkdir()
    directory.chmod(0o1777)
    with pytest.raises(StoreError, match="writable by other users"):
        FileStore(directory)
    assert stat.S_IMODE(directory.stat().st_mode) == 0o1777


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_a_writable_directory_of_another_user_is_refused(tmp_path: Path) -> None:
    directory = tmp_path / "theirs"
    directory.mkdir()
    os.chown(directory, 65534, 65534)
    directory.chmod(0o770)
    with pytest.raises(StoreError, match="writable by other users"):
        FileStore(directory)
    assert mode(directory) == 0o770


def test_a_directory_that_cannot_be_made_is_a_token_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    with pytest.raises(TokenError) as caught:
        FileStore(tmp_path / "file" / "tokens")
    assert isinstance(caught.value, StoreError)
    assert caught.value.provider == "store"
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (type(copy), str(copy), copy.provider) == (StoreError, str(caught.value), "store")
