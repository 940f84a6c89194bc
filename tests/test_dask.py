"""Past one machine: the record API on a real Dask cluster gives what the CLI gives."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from rolefinder.account import load_account
from rolefinder.batch import account_records, identify_bag
from rolefinder.cli import cli

distributed = pytest.importorskip("distributed")
dask_bag = pytest.importorskip("dask.bag")

SOURCE = Path(__file__).parent / "data" / "crm" / "hubspot_contacts.csv"


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning", "ignore::UserWarning",
                            "ignore::pytest.PytestUnraisableExceptionWarning")
def test_dask_local_cluster_matches_the_cli(runner, tmp_path):
    assert runner.invoke(cli, ["import", str(SOURCE), "-o", str(tmp_path)]).exit_code == 0
    files = sorted(tmp_path.glob("*.yaml"))
    exported = runner.invoke(cli, ["export", *map(str, files), "--to", "csv"])
    assert exported.exit_code == 0
    expected = list(csv.DictReader(io.StringIO(exported.stdout)))
    records = [r for f in files for r in account_records(load_account(f))]
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  silence_logs=50) as cluster, distributed.Client(cluster) as client:
        bag = dask_bag.from_sequence(records, npartitions=4)
        rows = identify_bag(bag).compute(scheduler=client.get)
        workers = len(client.scheduler_info()["workers"])
    assert workers == 2
    key = lambda row: (row["account"], row["id"])  # noqa: E731
    got = sorted(({k: str(v) for k, v in row.items()} for row in rows), key=key)
    assert len(got) == 60
    assert got == sorted(expected, key=key)
