"""A report's author (撰稿人), written by the unit, and its file (the Word file or PDF of the
report): checked by type, size and first bytes, downloaded only by those who may read the
report (another unit gets 404)."""

import io
import re
from pathlib import Path

import pytest

from models import Account, Attachment, Report, db
from models.bounds import megabytes

DOCX = b"PK\x03\x04" + b"\x00" * 60  # a .docx is a zip file
DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 60


def _form(title="关于春耕生产的信息", file=(DOCX, "春耕信息.docx"), **fields):
    data = {"title": title, "category": "news", "body": "全镇春耕进展顺利。", **fields}
    if file is not None:
        data["file"] = (io.BytesIO(file[0]), file[1])
    return data


def _post(client, data, url="/admin/reports/new/"):
    return client.post(url, data=data, content_type="multipart/form-data")


def _report(app, title):
    with app.app_context():
        report = Report.query.filter_by(title=title).one_or_none()
        if report is None:
            return None
        attachment = report.attachment
        return report.id, report.author, attachment and (attachment.id, attachment.original_name)


def test_the_unit_names_the_author_and_it_is_saved_and_shown(app, as_role, world):
    officer = as_role("unit")
    form = officer.get("/admin/reports/new/").get_data(as_text=True)
    assert 'name="author"' in form and "撰稿人" in form  # the unit's form has the field
    response = _post(officer, _form(author="张晓燕", file=None))
    assert response.status_code == 302
    report_id, author, attachment = _report(app, "关于春耕生产的信息")
    assert author == "张晓燕" and attachment is None
    page = officer.get(f"/admin/reports/details/?id={report_id}").get_data(as_text=True)
    assert "撰稿人" in page and "张晓燕" in page
    listed = as_role("staff").get("/admin/reports/").get_data(as_text=True)
    assert "张晓燕" in listed
    exported = as_role("staff").get("/admin/reports/export/csv/").get_data(as_text=True)
    assert "撰稿人" in exported and "张晓燕" in exported


def test_the_author_starts_empty_and_a_blank_one_is_refused(app, as_role, world):
    """撰稿人 is a person (awards are paid per author): the unit's form does not offer the
    account's name (a unit's account is named for the unit), it asks for the author's."""
    officer = as_role("unit")
    with app.app_context():
        account = Account.query.filter_by(username=world.usernames["unit"]).one()
        account.name = "甲镇信息员"
        db.session.commit()
    form = officer.get("/admin/reports/new/").get_data(as_text=True)
    (field,) = re.findall(r'<input[^>]*name="author"[^>]*>', form)
    assert 'value=""' in field or "value=" not in field, field
    assert 'placeholder="撰稿人姓名（必填）"' in field and "甲镇信息员" not in field
    for client, extra in ((officer, {}), (as_role("staff"), {"unit": world.unit_a})):
        for blank in ("", "  "):
            refused = _post(client, _form(author=blank, file=None, **extra))
            assert refused.status_code == 200, blank
            page = refused.get_data(as_text=True)
            said = re.search(
                r'name="author"[^>]*>\s*<div class="invalid-feedback">(.*?)</div>', page, re.S
            )
            assert said and "该字段是必填字段" in said.group(1), blank
    assert _report(app, "关于春耕生产的信息") is None
    assert _post(officer, _form(author=" 张晓燕 ", file=None)).status_code == 302
    assert _report(app, "关于春耕生产的信息")[1] == "张晓燕"


def test_the_file_is_kept_shown_and_downloaded_by_those_who_may_read_the_report(
    app, as_role, world
):
    officer = as_role("unit")
    assert _post(officer, _form(author="张晓燕")).status_code == 302
    report_id, _author, (attachment_id, name) = _report(app, "关于春耕生产的信息")
    assert name == "春耕信息.docx"
    url = f"/admin/feedback/attachment/{attachment_id}/"
    page = officer.get(f"/admin/reports/details/?id={report_id}").get_data(as_text=True)
    assert url in page and "春耕信息.docx" in page
    response = officer.get(url)
    assert response.status_code == 200 and response.data == DOCX
    assert as_role("staff").get(url).status_code == 200
    assert as_role("leader").get(url).status_code == 200
    assert as_role("unit_b").get(url).status_code == 404  # another unit: not there at all
    assert as_role("unit_b").get(f"/admin/reports/details/?id={report_id}").status_code in (
        302,
        404,
    )


def test_a_new_file_replaces_the_old_one(app, as_role, world):
    officer = as_role("unit")
    _post(officer, _form(author="张晓燕"))
    report_id, _author, (old_id, _name) = _report(app, "关于春耕生产的信息")
    with app.app_context():
        old_path = db.session.get(Attachment, old_id).path
    assert old_path.is_file()
    edit = f"/admin/reports/edit/?id={report_id}"
    response = _post(officer, _form(author="张晓燕", file=(DOC, "修改稿.doc")), url=edit)
    assert response.status_code == 302
    _id, _author, (_new_id, name) = _report(app, "关于春耕生产的信息")
    assert name == "修改稿.doc"
    with app.app_context():
        (kept,) = Attachment.query.all()  # one file per report
        assert kept.path.read_bytes() == DOC
    assert not old_path.exists()


@pytest.mark.parametrize(
    "content,name,message",
    [
        (b"MZ\x90\x00 a program", "病毒.exe", "只接受以下类型的文件"),
        (
            b"just some text",
            "春耕信息.docx",
            "的内容不是 .docx 文件",
        ),  # named .docx, not one inside
        (DOCX, "春耕信息.xlsx", "只接受以下类型的文件"),  # a feedback type, not a report's
        (b"", "空文件.pdf", "是空文件"),
    ],
)
def test_a_wrong_file_is_refused_with_a_form_message(app, as_role, world, content, name, message):
    response = _post(as_role("unit"), _form(author="张晓燕", file=(content, name)))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message in page
    assert _report(app, "关于春耕生产的信息") is None
    with app.app_context():
        assert Attachment.query.count() == 0


def test_a_file_too_large_is_refused_with_a_form_message(app, as_role, world):
    app.config["ATTACHMENT_MAX_BYTES"] = 1024
    big = b"%PDF-1.4\n" + b"0" * 2048
    response = _post(as_role("unit"), _form(author="张晓燕", file=(big, "春耕信息.pdf")))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "超过" in page and "MB" in page
    assert _report(app, "关于春耕生产的信息") is None
    assert not list(Path(app.config["ATTACHMENT_DIR"]).rglob("*.pdf"))  # nothing written


def test_sizes_are_said_without_a_needless_decimal(app, as_role, world):
    assert [megabytes(n) for n in (20 * 2**20, 2.5 * 2**20, 32 * 2**20, 1024, 0)] == [
        "20",
        "2.5",
        "32",
        "0.00098",
        "0",
    ]
    form = as_role("unit").get("/admin/reports/new/").get_data(as_text=True)
    assert "不超过 20 MB" in form and "20.0" not in form
