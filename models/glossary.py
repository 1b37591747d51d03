"""One name for each field, wherever it is shown.

A field's name is the label in its model column's info (`info(_l("Author"))`, translated in
translations/): the screens take it as their column labels (views/secure.py), the list
exports as their headers (views/base/export.py), the import templates as the headers of
the columns bound to the field (models/imports: `Column(Report.author, ...)`, in Chinese
whatever the reader's language), and the printed documents where they name a field. So
信息类别 is 信息类别 on the list, in its spreadsheet and in the template; a header an older
template used is still read (the column's `aliases`), never written.
"""

from flask_babel import force_locale

OFFICE_LOCALE = "zh_Hans_CN"


def label(term):
    """The label of a model attribute (its column info), or `term` itself (a text)."""
    info = getattr(term, "info", None)
    if info is not None and "label" in info:
        return info["label"]
    return term


def in_chinese(term):
    """The name as the office writes it: Chinese, whatever the reader's language."""
    with force_locale(OFFICE_LOCALE):
        return str(label(term))
