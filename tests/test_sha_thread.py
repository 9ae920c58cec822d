"""The SHA-256 of a large picture, hashed on a thread beside its decode, is the file's SHA-256."""

from __future__ import annotations

import hashlib
import os

from imagegen import photo

from forensics.read import files


def test_a_large_picture_hashed_beside_its_decode_has_its_own_sha256(tmp_path):
    big = tmp_path / "big.png"
    image = photo(7, (900, 700))
    image.save(big, compress_level=0)  # uncompressed: over the threaded-hash size
    assert os.path.getsize(big) >= files._THREAD_HASH_BYTES
    small = tmp_path / "small.jpg"
    image.resize((90, 70)).save(small, quality=80)
    broken = tmp_path / "broken.png"
    data = big.read_bytes()
    broken.write_bytes(data[: max(files._THREAD_HASH_BYTES, 2 * len(data) // 3)])  # a truncated one: the hash of what is there
    for path in (big, small, broken):
        record = files.read_file(path)
        assert record.sha256 == hashlib.sha256(path.read_bytes()).hexdigest(), path.name
