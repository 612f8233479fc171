"""One 2-worker LocalCluster per test module (processes, so a worker can be killed), quiet, no dashboard.
Each module calls pytest.importorskip("distributed") first, so the directory skips without Dask."""
import pytest


@pytest.fixture(scope="module")
def client():
    from unroll.distributed import connect
    with connect(workers=2, threads_per_worker=1, processes=True) as c:
        yield c
