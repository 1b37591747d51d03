"""A deleted record's stored file (a report's Word file or PDF, a directive's scan, the
files of a unit's feedback) leaves the disk once the deletion is committed, and only then:
a deletion rolled back, or undone with its savepoint, keeps the file."""

import pytest

from models import Assignment, Attachment, Directive, Report, db
from models.feedback import store_attachment, store_report_file, store_scan
from tests import factories

DOCX = b"PK\x03\x04" + b"\x00" * 60
PDF = b"%PDF-1.4 scan"


def _report_with_file(world, name="春耕信息.docx"):
    report = db.session.get(Report, world.report_a)
    store_report_file(report, name, DOCX)
    db.session.commit()
    return report, report.attachment.path


def test_a_deleted_reports_file_goes_once_the_deletion_is_committed(app, world):
    with app.app_context():
        report, path = _report_with_file(world)
        assert path.read_bytes() == DOCX
        db.session.delete(report)
        db.session.flush()
        assert path.is_file()  # deleted in the transaction, not yet for good
        db.session.commit()
        assert not path.exists()
        assert Attachment.query.count() == 0


def test_a_rolled_back_deletion_keeps_the_file(app, world):
    with app.app_context():
        report, path = _report_with_file(world)
        db.session.delete(report)
        db.session.flush()
        db.session.rollback()
        assert path.is_file()
        db.session.commit()  # a later commit does not remove it either
        assert path.read_bytes() == DOCX
        assert db.session.get(Report, world.report_a).attachment.path == path


def test_a_deletion_undone_with_its_savepoint_keeps_the_file(app, world):
    with app.app_context():
        report, path = _report_with_file(world)
        other = factories.report(db.session.get(Report, world.report_b).unit)
        store_report_file(other, "另一份.docx", DOCX)
        db.session.commit()
        other_path = other.attachment.path
        db.session.delete(other)  # outside the savepoint: goes
        with pytest.raises(RuntimeError), db.session.begin_nested():
            db.session.delete(report)
            db.session.flush()
            raise RuntimeError("undo")
        with db.session.begin_nested():  # a savepoint released: nothing removed yet
            db.session.flush()
        assert path.is_file() and other_path.is_file()
        db.session.commit()
        assert path.is_file() and not other_path.exists()
        assert db.session.get(Report, world.report_a) is not None


def test_a_deleted_directive_takes_its_scans_and_its_feedback_files(app, world):
    with app.app_context():
        directive = db.session.get(Directive, world.directive_a)
        scan = store_scan(directive, "批示件.pdf", PDF)
        assignment = db.session.get(Assignment, world.assignment_a)
        assignment.acknowledge(None)
        attached = store_attachment(factories.feedback(assignment), "进展.pdf", PDF)
        db.session.commit()
        paths = [scan.path, attached.path]
        assert all(p.is_file() for p in paths)
        db.session.delete(directive)
        db.session.commit()
        assert not any(p.exists() for p in paths)


def test_the_office_deletes_reports_in_a_batch_and_their_files_go(app, as_role, world):
    with app.app_context():
        _report, path = _report_with_file(world)
    response = as_role("staff").post(
        "/admin/reports/action/", data={"action": "delete", "rowid": [world.report_a]}
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Report, world.report_a) is None
    assert not path.exists()
