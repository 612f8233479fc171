"""One 2-worker LocalCluster per test module (processes, so a worker can be killed), quiet, no dashboard."""
import pytest

pytest.importorskip("distributed")


@pytest.fixture(scope="module")
def client():
    from unroll.distributed import connect
    with connect(workers=2, threads_per_worker=1, processes=True) as c:
        yield c
