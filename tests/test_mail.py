"""The bytes of a notice's email, without a server: the short-header policy writes what
the classic policy writes, only faster."""

import email
import email.policy
from email.errors import HeaderParseError
from email.generator import BytesGenerator
from io import BytesIO
from types import SimpleNamespace

import pytest

from jobs.mail import SHORT_HEADERS_AS_THEY_ARE, build_message


def notice(**values):
    fields = {
        "subject": "【催办通知】关于乡村振兴重点工作的批示件已超期8天，请抓紧办理并反馈",
        "body": "同志：\n\n贵单位承办的批示件已超期8天。\n",
        "recipient_name": "张三",
        "recipient_email": "zhang@example.org",
        "message_id": "<179572901255.5672.16965676118986849226.notice@localhost>",
        "dedupe_key": "chase:111:assignment:1:due:2024-10-14:nobody",
    }
    return SimpleNamespace(**(fields | values))


def flattened(message, policy):
    out = BytesIO()
    BytesGenerator(out, policy=policy.clone(linesep="\r\n")).flatten(message)
    return out.getvalue()


@pytest.mark.parametrize("key_length", [40, 61, 62, 63, 64, 90, 200])
def test_the_bytes_are_those_of_the_classic_policy(app, key_length):
    # "X-Ducha-Notice: " takes 16 characters: 62 fill the line to 78, 63 go to the classic
    # folding.
    with app.app_context():
        message = build_message(notice(dedupe_key="k" * key_length), "督查室 <duban@example.org>")
    ours = flattened(message, SHORT_HEADERS_AS_THEY_ARE)
    assert ours == flattened(message, email.policy.compat32)
    whole = f"X-Ducha-Notice: {'k' * key_length}\r\n".encode()
    assert (whole in ours) == (key_length <= 62)


def test_a_header_with_a_line_break_or_chinese_is_still_encoded(app):
    policy = SHORT_HEADERS_AS_THEY_ARE.clone(linesep="\r\n")
    with pytest.raises(HeaderParseError):  # the classic policy's refusal, not passed through
        policy.fold("X-Note", "a\r\nBcc: x@example.org")
    assert policy.fold("X-Note", "已超期") == "X-Note: =?utf-8?b?5bey6LaF5pyf?=\r\n"
    assert policy.fold("X-Note", "plain") == "X-Note: plain\r\n"


def test_the_message_reads_back(app):
    with app.app_context():
        sent = build_message(notice(), "督查室 <duban@example.org>")
    message = email.message_from_bytes(sent.as_bytes(), policy=email.policy.default)
    assert str(message["Subject"]) == notice().subject
    assert message["From"].addresses[0].display_name == "督查室"
    assert message["To"].addresses[0].display_name == "张三"
    assert message.get_content() == notice().body
