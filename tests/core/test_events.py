"""The event API's per-change reads: a subscriber reads its configuration once per change, never across changes."""

from core.events import one_change, read_once


def test_read_once_reads_each_time_outside_a_change():
    reads = []
    for _ in range(2):
        read_once("config", lambda: reads.append(1) or len(reads))
    assert len(reads) == 2


def test_read_once_reads_once_per_change_and_nested_blocks_share_it():
    reads = []

    def read():
        reads.append(1)
        return len(reads)

    with one_change():
        first = read_once("config", read)
        with one_change():
            assert read_once("config", read) == first
    with one_change():
        assert read_once("config", read) == first + 1
    assert len(reads) == 2


def test_one_change_decorates_a_service():
    reads = []

    @one_change()
    def service():
        return [read_once("config", lambda: reads.append(1) or len(reads)) for _ in range(3)]

    assert service() == [1, 1, 1]
    assert service() == [2, 2, 2]
