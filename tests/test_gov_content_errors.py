"""The government types' schemas and cross-references: bad input names the file, the line and
the fix; personal data in letters and missing attachments stop the build."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from portal_build import build
from portal_model import ContentError


def doc(fields: str, body: str = "正文。") -> str:
    return f"---\n{fields.strip()}\n---\n\n{body}\n"


POLICY = """title: 测试办法
date: 2024-05-01
document_number: 丰政发〔2024〕1号
issuer: district-government
written: 2024-04-20
index_number: 014025823/2024-00001
topic: economy"""
INTERPRETATION = "title: 解读\ndate: 2024-05-02\npolicy: test-policy"
PROJECT = """title: 项目
date: 2024-05-01
project_number: DFCG2024-001
buyer: wetland-reserve
budget: 100000
method: open-tender"""
NOTICE = "title: 招标公告\ndate: 2024-05-01\nproject: test-project\nstage: tender"
CONSULTATION = "title: 征求意见\ndate: 2024-05-01\nopens: 2024-05-01\ncloses: 2024-05-31"
LETTER = """title: 来信
date: 2024-05-01
letter_category: inquiry
received: 2024-05-01"""
DEPARTMENT = "title: 民政局\ndate: 2024-05-01\ndepartment: civil-affairs"
VALID = {"zh/policies/test-policy.md": doc(POLICY),
         "zh/procurement/test-project.md": doc(PROJECT)}


def build_fails(project: Path) -> str:
    with pytest.raises(ContentError) as failure:
        build(project / "pelicanconf.py", project / "output", build_date=dt.date(2024, 6, 1))
    return str(failure.value)


@pytest.mark.parametrize(("files", "expected"), [
    ({"zh/policies/bad.md": doc(POLICY.replace("document_number: 丰政发〔2024〕1号\n", ""))},
     ["content/zh/policies/bad.md:2: the required key 'document_number' is missing"]),
    ({"zh/policies/bad.md": doc(POLICY + "\nvalidity: cancelled")},
     ["content/zh/policies/bad.md:9: 'validity': 'cancelled' is not allowed",
      "valid, amended, repealed, expired"]),
    ({"zh/policies/bad.md": doc(POLICY.replace("district-government", "mayor"))},
     ["content/zh/policies/bad.md:5: 'issuer': unknown issuing body 'mayor'", "data/bodies.yml"]),
    ({"zh/policies/bad.md": doc(POLICY + "\nreplaced_by: test-policy")},
     ["content/zh/policies/bad.md:9: a valid document cannot be replaced"]),
    ({"zh/policies/bad.md": doc(POLICY + "\nvalidity: repealed\nreplaced_by: nowhere")},
     ["content/zh/policies/bad.md:10: 'replaced_by: nowhere' names no other published item"]),
    ({"zh/interpretations/bad.md": doc(INTERPRETATION.replace("test-policy", "no-such-policy"))},
     ["content/zh/interpretations/bad.md:4: 'policy: no-such-policy' names no other published",
      "content/zh/policies/"]),
    ({"zh/procurement/bad.md": doc(PROJECT.replace("100000", "十万元"))},
     ["content/zh/procurement/bad.md:6: 'budget': '十万元' is not an amount"]),
    ({"zh/procurement/bad.md": doc(PROJECT + "\ncurrency: RMB")},
     ["content/zh/procurement/bad.md:8: 'currency': 'RMB' is not a currency code"]),
    ({"zh/procurement-notices/bad.md": doc(NOTICE.replace("tender", "auction"))},
     ["content/zh/procurement-notices/bad.md:5: 'stage': 'auction' is not allowed"]),
    ({"zh/procurement-notices/bad.md": doc(NOTICE.replace("test-project", "ghost"))},
     ["content/zh/procurement-notices/bad.md:4: 'project: ghost' names no other published"]),
    ({"zh/procurement-notices/bad.md": doc(NOTICE + "\nstatus: withdrawn")},
     ["content/zh/procurement-notices/bad.md:6: a withdrawn item needs 'withdrawn_reason'"]),
    ({"zh/consultations/bad.md": doc(CONSULTATION.replace("2024-05-31", "2024-04-30"))},
     ["content/zh/consultations/bad.md:5: 'closes' is before 'opens'"]),
    ({"zh/consultations/bad.md": doc(CONSULTATION + "\nemail: not-an-address")},
     ["content/zh/consultations/bad.md:6: 'email': 'not-an-address' is not an e-mail address"]),
    ({"zh/letters/bad.md": doc(LETTER + "\nreply: 已处理。")},
     ["content/zh/letters/bad.md:6: 'reply' needs 'replied'"]),
    ({"zh/letters/bad.md": doc(LETTER + "\nwriter: 张三")},
     ["content/zh/letters/bad.md:6: unknown key 'writer' in a letters item"]),
    ({"zh/letters/bad.md": doc(LETTER.replace("inquiry", "praise"))},
     ["content/zh/letters/bad.md:4: 'letter_category': unknown letter category 'praise'"]),
    ({"zh/departments/bad.md": doc(DEPARTMENT.replace("civil-affairs", "police"))},
     ["content/zh/departments/bad.md:4: 'department': unknown department 'police'",
      "data/departments.yml"]),
], ids=["policy-required", "policy-validity", "policy-issuer", "policy-valid-replaced",
        "policy-dangling-replacement", "interpretation-dangling", "procurement-budget",
        "procurement-currency", "notice-stage", "notice-dangling", "withdrawn-without-reason",
        "consultation-dates", "consultation-email", "letter-reply-date", "letter-no-names",
        "letter-category", "department-key"])
def test_bad_government_content_is_located(portal, monkeypatch, files, expected) -> None:
    project = portal({**VALID, **files})
    monkeypatch.chdir(project)
    message = build_fails(project)
    for part in expected:
        assert part in message


@pytest.mark.parametrize(("line", "what"), [
    ("来信人身份证号320982198705121234，要求核实。", "a resident ID number"),
    ("联系电话13912345678。", "a mobile phone number"),
    ("请回电 139-1234-5678。", "a mobile phone number"),
    ("家里座机0515-83512345。", "a landline phone number"),
    ("邮箱 zhang.san@example.com 可回复。", "an e-mail address"),
])
def test_personal_data_in_a_letter_stops_the_build(portal, monkeypatch, line, what) -> None:
    body = f"第一段没有问题。\n\n{line}\n"
    project = portal({"zh/letters/leak.md": doc(LETTER, body)})
    monkeypatch.chdir(project)
    message = build_fails(project)
    assert f"content/zh/letters/leak.md:10: this letter looks like it contains {what}" in message
    assert "remove personal data" in message


def test_ordinary_letter_text_is_not_mistaken_for_personal_data(portal, monkeypatch) -> None:
    body = "2026年3月12日反映的问题，编号DFCG2026-015，12345热线已转办，投资3860000元。"
    project = portal({"zh/letters/fine.md": doc(LETTER, body)})
    monkeypatch.chdir(project)
    build(project / "pelicanconf.py", project / "output", build_date=dt.date(2024, 6, 1))


def test_attachments_are_listed_with_size_and_a_missing_one_stops_the_build(
        portal, monkeypatch) -> None:
    fields = POLICY + "\nattachments:\n  - {file: plan.pdf, title: 规划全文}"
    project = portal({"zh/policies/with-file.md": doc(fields)})
    monkeypatch.chdir(project)
    message = build_fails(project)
    assert "content/zh/policies/with-file.md:9: the attachment 'plan.pdf' is missing" in message

    (project / "content" / "zh" / "policies" / "plan.pdf").write_bytes(b"%PDF-1.4\n" + b"x" * 2491)
    build(project / "pelicanconf.py", project / "output", build_date=dt.date(2024, 6, 1))
    page = (project / "output" / "policies" / "with-file" / "index.html").read_text("utf-8")
    assert '<a href="/policies/with-file/plan.pdf" download>规划全文</a>' in page
    assert "(PDF, 2.5 kB)" in page
    assert (project / "output" / "policies" / "with-file" / "plan.pdf").stat().st_size == 2500

    (project / "content" / "zh" / "policies" / "notes.docx").write_bytes(b"stray")
    message = build_fails(project)
    assert "content/zh/policies/notes.docx: only Markdown (.md) files, declared attachments" \
        in message
