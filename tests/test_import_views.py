"""The import screens through HTTP: templates, upload, progress, preview, import."""

import io
import time

import openpyxl
import pytest

from jobs.imports import Progress
from models import ImportRun, Unit, db
from models.imports import template_header
from tests.import_files import csv_bytes, xlsx_bytes

UNITS = [
    ["QH", "清河县", "县/市/区"],
    ["QH-CG", "城关镇", "乡镇/街道", "", "QH"],
]


def header(app, kind):
    with app.app_context():
        return template_header(kind)


def upload(client, kind, data, filename="单位.csv"):
    response = client.post(
        "/admin/import/",
        data={"kind": kind, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )
    assert response.status_code in (200, 302), response.status_code
    return response


def wait(client, run_id, seconds=60):
    """Poll the run's status as the page does, until no job works on it."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = client.get(f"/admin/import/run/{run_id}/status/").get_json()
        if status["state"] not in ("checking", "importing"):
            return status
        time.sleep(0.05)
    raise AssertionError(f"run {run_id} still busy: {status}")


def run_id_of(response):
    return int(response.location.rstrip("/").rsplit("/", 1)[-1])


def test_upload_preview_then_import_all_rows(app, as_role, world):
    client = as_role("staff")
    response = upload(client, "units", csv_bytes(header(app, "units"), UNITS, "gbk"))
    run_id = run_id_of(response)
    status = wait(client, run_id)
    assert (status["state"], status["created"], status["refused"]) == ("checked", 2, 0)
    page = client.get(f"/admin/import/run/{run_id}/").get_data(as_text=True)
    assert "城关镇" in page and "导入：新增 2 条" in page
    with app.app_context():
        assert Unit.query.filter_by(code="QH").count() == 0  # the check saved nothing
    client.post(f"/admin/import/run/{run_id}/commit/")
    assert wait(client, run_id)["state"] == "done"
    with app.app_context():
        town = Unit.query.filter_by(code="QH-CG").one()
        assert town.parent.code == "QH"
        assert db.session.get(ImportRun, run_id).content is None
    again = client.post(f"/admin/import/run/{run_id}/commit/", follow_redirects=True)
    assert "现在不能导入" in again.get_data(as_text=True)
    second = run_id_of(upload(client, "units", csv_bytes(header(app, "units"), UNITS)))
    assert wait(client, second)["unchanged"] == 2
    page = client.get(f"/admin/import/run/{second}/").get_data(as_text=True)
    assert "导入不会改变任何数据" in page and "/commit/" not in page


def test_a_refused_row_shows_why_and_blocks_the_import(app, as_role, world):
    client = as_role("admin")
    rows = [*UNITS, ["QH-XX", "溪下乡", "乡镇/街道", "", "NOPE"]]
    run_id = run_id_of(upload(client, "units", xlsx_bytes(header(app, "units"), rows), "单位.xlsx"))
    assert wait(client, run_id)["refused"] == 1
    page = client.get(f"/admin/import/run/{run_id}/").get_data(as_text=True)
    assert "没有代码为“NOPE”的单位" in page and 'data-row="4"' in page
    client.post(f"/admin/import/run/{run_id}/commit/")
    with app.app_context():
        assert Unit.query.filter(Unit.code.like("QH%")).count() == 0
    report = client.get(f"/admin/import/run/{run_id}/rows/xlsx/")
    book = openpyxl.load_workbook(io.BytesIO(report.data), read_only=True)
    cells = [row for row in book.active.iter_rows(values_only=True)]
    assert cells[0] == ("行号", "结果", "记录", "说明") and len(cells) == 4
    assert cells[3][1] == "不能导入"


@pytest.mark.parametrize(
    "data,message",
    [
        (b"%PDF-1.4 not a table", "不是电子表格"),
        ("名称,代码\n甲,乙\n".encode(), "表头与模板不符"),
        ("Code,Café\n".encode("latin-1") + b"\xff\xfe,x", "编码"),
    ],
)
def test_a_bad_file_gets_a_report_page_not_an_error(app, as_role, world, data, message):
    client = as_role("staff")
    run_id = run_id_of(upload(client, "units", data))
    assert wait(client, run_id)["state"] == "failed"
    page = client.get(f"/admin/import/run/{run_id}/")
    assert page.status_code == 200 and message in page.get_data(as_text=True)


@pytest.mark.parametrize(
    "row,message",
    [
        (["QH", "清河县", "县/市/区", "", "", "", "", "", "", "", "下个月"], "“建档日期”不是日期"),
        (["QH-CG", "城关镇", "乡镇/街道", "", "NOPE"], "没有代码为“NOPE”的单位"),
        (["QH", "=1+1", "县/市/区"], "“单位名称”是公式"),
    ],
)
def test_a_bad_row_is_reported_on_the_page_and_nothing_imports(app, as_role, world, row, message):
    client = as_role("staff")
    data = xlsx_bytes(header(app, "units"), [["OK", "好单位", "乡镇/街道"], row])
    run_id = run_id_of(upload(client, "units", data, "单位.xlsx"))
    assert wait(client, run_id)["refused"] == 1
    page = client.get(f"/admin/import/run/{run_id}/")
    assert page.status_code == 200 and message in page.get_data(as_text=True)
    assert client.post(f"/admin/import/run/{run_id}/commit/").status_code == 302
    with app.app_context():
        assert Unit.query.filter_by(code="OK").count() == 0


def test_files_too_large_are_refused_with_a_message(app, as_role, world):
    client = as_role("staff")
    app.config["IMPORT_MAX_BYTES"] = 100
    page = upload(client, "units", b"x" * 101).get_data(as_text=True)
    assert "文件大于" in page
    app.config["MAX_CONTENT_LENGTH"] = 1000
    response = upload(client, "units", b"x" * 5000)
    assert response.status_code == 302
    assert "未保存任何内容" in client.get(response.location).get_data(as_text=True)
    with app.app_context():
        assert ImportRun.query.count() == 0


def test_the_page_shows_the_progress_of_a_busy_run(app, as_role, world):
    client = as_role("staff")
    with app.app_context():
        run = ImportRun(kind="reports", filename="信息.xlsx", size=1, state="importing")
        db.session.add(run)
        db.session.commit()
        Progress(run.id, "importing")(12_500, 50_000)
        run_id = run.id
    page = client.get(f"/admin/import/run/{run_id}/").get_data(as_text=True)
    assert 'http-equiv="refresh"' in page and "width: 25%" in page
    assert "12500 / 50000" in page
    assert client.get(f"/admin/import/run/{run_id}/status/").get_json()["progress"] == {
        "phase": "importing",
        "done": 12500,
        "total": 50000,
    }


def test_templates_download_with_chinese_headers(app, as_role, world):
    client = as_role("staff")
    response = client.get("/admin/import/template/units/xlsx/")
    assert "filename*=UTF-8''%E5%8D%95%E4%BD%8D" in response.headers["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.data), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows == [tuple(header(app, "units"))]
    filled = client.get("/admin/import/template/staff/csv/?filled=1").data.decode("utf-8-sig")
    assert filled.startswith("姓名,单位代码") and ",A," in filled and ",B," in filled
    assert client.get("/admin/import/template/nope/csv/").status_code == 404


def test_a_unit_officer_or_a_leader_cannot_import(app, as_role, world):
    for role in ("unit", "leader"):
        client = as_role(role)
        assert client.get("/admin/import/").status_code == 403
        response = client.post(
            "/admin/import/",
            data={"kind": "units", "file": (io.BytesIO(b"x"), "a.csv")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 403
    with app.app_context():
        assert ImportRun.query.count() == 0
