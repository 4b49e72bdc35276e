"""The record store: round trips, torn tails cut at any byte, completion markers, append logs."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from infoseek_local.errors import StoreError
from infoseek_local.records import OutLink, Page
from infoseek_local.store import (
    ShardReader,
    ShardWriter,
    done_info,
    done_shards,
    is_done,
    mark_done,
    read_shard,
    read_shards,
    valid_prefix_length,
)

links = st.builds(OutLink, target=st.integers(0, 2**40), anchor=st.text(max_size=20))


def _write(path: Path, records: list[OutLink], frame_records: int) -> None:
    with ShardWriter(path, frame_records=frame_records) as writer:
        writer.write_all(records)


@settings(max_examples=60, deadline=None)
@given(records=st.lists(links, max_size=40), frame_records=st.integers(1, 8))
def test_round_trip(
    tmp_path_factory: pytest.TempPathFactory, records: list[OutLink], frame_records: int
) -> None:
    path = tmp_path_factory.mktemp("s") / "a.msgpack.zst"
    _write(path, records, frame_records)
    reader = ShardReader(path, OutLink)
    assert list(reader) == records
    assert reader.torn is False


@settings(max_examples=40, deadline=None)
@given(records=st.lists(links, min_size=1, max_size=30), frame_records=st.integers(1, 6), data=st.data())
def test_cut_at_any_byte_keeps_every_complete_frame(
    tmp_path_factory: pytest.TempPathFactory, records: list[OutLink], frame_records: int, data: st.DataObject
) -> None:
    folder = tmp_path_factory.mktemp("s")
    full = folder / "full.msgpack.zst"
    _write(full, records, frame_records)
    blob = full.read_bytes()
    # byte offsets where each frame ends, found by writing frame-by-frame prefixes
    frame_ends = []
    for n in range(frame_records, len(records) + frame_records, frame_records):
        prefix = folder / f"p{n}.msgpack.zst"
        _write(prefix, records[:n], frame_records)
        frame_ends.append(prefix.stat().st_size)
    cut = data.draw(st.integers(0, len(blob)), label="cut")
    torn = folder / "torn.msgpack.zst"
    torn.write_bytes(blob[:cut])
    complete_frames = sum(1 for end in frame_ends if end <= cut)
    reader = ShardReader(torn, OutLink)
    assert list(reader) == records[: complete_frames * frame_records]
    assert reader.torn == (cut not in [0, *frame_ends])


def test_corrupt_byte_inside_a_frame_stops_before_it(tmp_path: Path) -> None:
    path = tmp_path / "a.msgpack.zst"
    records = [OutLink(i, f"a{i}") for i in range(6)]
    _write(path, records, 3)
    blob = bytearray(path.read_bytes())
    blob[-5] ^= 0xFF  # inside the second frame's payload or checksum
    path.write_bytes(bytes(blob))
    reader = ShardReader(path, OutLink)
    assert list(reader) == records[:3]
    assert reader.torn


def test_append_log_cuts_torn_tail_then_continues(tmp_path: Path) -> None:
    path = tmp_path / "log.msgpack.zst"
    with ShardWriter(path, frame_records=1, append=True) as writer:
        writer.write_all([OutLink(1, "a"), OutLink(2, "b")])
    good = path.stat().st_size
    with open(path, "ab") as f:
        f.write(b"\x28\xb5\x2f\xfd garbage of a crashed write")
    assert valid_prefix_length(path) == good
    with ShardWriter(path, frame_records=1, append=True) as writer:
        writer.write(OutLink(3, "c"))
    assert [r.target for r in read_shard(path, OutLink)] == [1, 2, 3]


def test_failed_shard_leaves_no_file_and_keeps_the_earlier_one(tmp_path: Path) -> None:
    path = tmp_path / "a.msgpack.zst"
    _write(path, [OutLink(1, "old")], 4)
    with pytest.raises(RuntimeError), ShardWriter(path) as writer:
        writer.write(OutLink(2, "new"))
        raise RuntimeError("crash mid-shard")
    assert list(read_shard(path, OutLink)) == [OutLink(1, "old")]
    assert not list(tmp_path.glob("*.partial"))


def test_wrong_record_type_names_file_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "a.msgpack.zst"
    _write(path, [OutLink(1, "x")], 4)
    with pytest.raises(
        StoreError, match=r"a\.msgpack\.zst: frame at byte 0 does not hold the expected records"
    ):
        list(read_shard(path, Page))


def test_markers_gate_which_shards_are_read(tmp_path: Path) -> None:
    _write(tmp_path / "00000.msgpack.zst", [OutLink(0, "a")], 4)
    _write(tmp_path / "00001.msgpack.zst", [OutLink(1, "b")], 4)
    mark_done(tmp_path, "00001", {"records": 1})
    assert is_done(tmp_path, "00001") and not is_done(tmp_path, "00000")
    assert done_info(tmp_path, "00001") == {"records": 1}
    assert done_shards(tmp_path) == ["00001"]
    assert [r.target for r in read_shards(tmp_path, OutLink)] == [1]
    assert [r.target for r in read_shards(tmp_path, OutLink, only_done=False)] == [0, 1]
