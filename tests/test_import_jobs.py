"""Imports with Redis: the check and the import are RQ jobs, run by a real worker."""

import pytest

from models import Adoption, Report, db
from tests import factories
from tests.helpers import run_worker
from tests.import_files import csv_bytes
from tests.test_import_views import header, run_id_of, upload, wait


@pytest.fixture
def app_config(redis_url):
    return {"REDIS_URL": redis_url}


def test_with_redis_the_check_and_the_import_are_rq_jobs(app, as_role, world, redis_url):
    client = as_role("staff")
    with app.app_context():
        factories.publication(name="《江州快讯》正刊")
        db.session.commit()
    rows = [
        ["甲镇抓好安全生产", "A", "2026-03-05 10:00", "动态信息", "李明", "", "", "", "",
         "《江州快讯》正刊", "7", "2026-03-06"],
    ]  # fmt: skip
    run_id = run_id_of(upload(client, "reports", csv_bytes(header(app, "reports"), rows)))
    assert client.get(f"/admin/import/run/{run_id}/status/").get_json()["state"] == "checking"
    run_worker(app, redis_url)
    assert wait(client, run_id)["created"] == 1
    client.post(f"/admin/import/run/{run_id}/commit/")
    assert client.get(f"/admin/import/run/{run_id}/status/").get_json()["state"] == "importing"
    run_worker(app, redis_url)
    assert wait(client, run_id)["state"] == "done"
    with app.app_context():
        report = Report.query.filter_by(title="甲镇抓好安全生产").one()
        assert [a.points for a in Adoption.query.filter_by(report_id=report.id)] == [10]
