"""What depends on the build date: consultation status, the calendar of the letter statistics,
and the compliance audit."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
import yaml

from conftest import PREFIX, ROOT, SITES
from portal_audit import audit
from portal_build import build, load_settings
from portal_model import load_site

CONSULTATION = """---
title: 公交线网征求意见
date: 2026-10-15
opens: 2026-10-20
closes: 2026-12-20
email: gjxw@dafeng.gov.cn
feedback: 共收到意见12条，采纳5条。
---

征求意见正文。
"""


@pytest.mark.parametrize(("today", "state", "shows", "hides"), [
    (dt.date(2026, 10, 19), "尚未开始", [], ["参与方式", "意见采纳情况"]),  # announced ahead
    (dt.date(2026, 10, 20), "正在征求意见", ["参与方式", "mailto:gjxw@dafeng.gov.cn"],
     ["意见采纳情况"]),
    (dt.date(2026, 12, 20), "正在征求意见", ["参与方式"], ["意见采纳情况"]),
    (dt.date(2026, 12, 21), "已结束", ["意见采纳情况", "共收到意见12条"], ["参与方式"]),
])
def test_consultation_status_flips_at_the_closing_date(portal, monkeypatch, today, state, shows,
                                                      hides) -> None:
    project = portal({"zh/consultations/buses.md": CONSULTATION})
    monkeypatch.chdir(project)
    build(project / "pelicanconf.py", project / "output", build_date=today)
    page = (project / "output" / "consultations" / "buses" / "index.html").read_text("utf-8")
    assert f"<strong>{state}</strong>" in page
    for text in shows:
        assert text in page
    for text in hides:
        assert text not in page


POLICY = """---
title: {title}
date: {date}
document_number: 丰政发〔2020〕{n}号
issuer: district-government
written: {date}
index_number: 014025823/2020-000{n}
topic: economy
{extra}---

正文。
"""


def seeded(portal):
    """A portal with one of each problem the audit looks for, as of 2026-11-01."""
    return portal({
        "zh/news/old.md": "---\ntitle: 旧新闻\ndate: 2026-09-01\ncategory: government\n"
                          "---\n\n旧。\n",
        "zh/policies/repealed.md": POLICY.format(title="已废止", date="2020-01-01", n=1,
                                                 extra="validity: repealed\n"),
        "zh/policies/current.md": POLICY.format(title="现行", date="2026-10-01", n=2, extra=""),
        "en/policies/current.md": POLICY.format(title="Current", date="2026-10-01", n=2,
                                                extra=""),
        "en/interpretations/explained.md": "---\ntitle: Explained\ndate: 2026-10-02\n"
                                           "policy: repealed\n---\n\nWhy.\n",
        "zh/letters/late.md": "---\ntitle: 迟迟未复\ndate: 2026-06-01\nletter_category: inquiry\n"
                              "received: 2026-06-01\n---\n\n来信摘要。\n",
        "zh/letters/recent.md": "---\ntitle: 新来信\ndate: 2026-10-20\nletter_category: inquiry\n"
                                "received: 2026-10-20\n---\n\n来信摘要。\n",
    })


def test_audit_finds_each_seeded_problem(portal) -> None:
    project = seeded(portal)
    site = load_site(load_settings(project / "pelicanconf.py"), build_date=dt.date(2026, 11, 1))
    found = {(f.lang, f.kind, f.where) for f in audit(site)}
    assert ("zh", "stale", "news/") in found  # 61 days > 14
    assert ("zh", "stale", "policies/") not in found  # 31 days ≤ 183
    assert ("zh", "empty", "departments/") in found
    assert ("zh", "no-replacement", "zh/policies/repealed.md") in found
    assert ("zh", "unanswered", "zh/letters/late.md") in found
    assert ("zh", "unanswered", "zh/letters/recent.md") not in found
    assert ("en", "no-policy", "en/interpretations/explained.md") in found
    assert ("en", "empty", "news/") in found


def test_invoke_audit_exits_non_zero_only_with_strict(portal) -> None:
    project = seeded(portal)
    (project / "tasks.py").symlink_to(ROOT / "tasks.py")
    (project / "plugins").symlink_to(ROOT / "plugins")

    def run(*flags: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "invoke", "audit", "--build-date",
                               "2026-11-01", *flags], capture_output=True, text=True,
                              cwd=project, check=False)

    relaxed, strict = run(), run("--strict")
    assert relaxed.returncode == 0 and strict.returncode != 0
    assert "[unanswered] zh/letters/late.md" in relaxed.stdout
    assert "[no-replacement] zh/policies/repealed.md" in relaxed.stdout


LETTER = """---
title: {title}
date: 2099-01-30
letter_category: inquiry
received: 2099-01-30
replied: 2099-02-23
reply: {reply}
department: {department}
---

{body}
"""
DEPARTMENT = next(iter(yaml.safe_load((ROOT / "data" / "departments.yml").read_text("utf-8"))))
LETTERS = {f"{lang}/letters/after-holiday.md": LETTER.format(
    title=title, reply=reply, body=body, department=DEPARTMENT)
    for lang, title, reply, body in (
        ("zh", "春节后的办事时间", "已答复。", "来信摘要。"),
        ("en", "Office hours after the holiday", "Answered.", "The letter."),
        ("ja", "休暇明けの窓口時間", "回答しました。", "投書の要旨。"),
        ("ko", "연휴 후 민원실 운영 시간", "답변했습니다.", "민원 요지."))}


def test_a_year_without_a_known_holiday_schedule_is_said_so_until_declared(portal) -> None:
    """Past the years the calendar package knows, the build goes on: working days are
    counted Monday to Friday, every language's statistics page and the audit say so; once
    the year is declared in data/holidays.yml it is counted on its schedule."""
    project = portal(LETTERS)
    today = dt.date(2099, 3, 1)

    def statistics() -> dict[str, str]:
        build(project / "pelicanconf.py", project / "output", build_date=today, strict=True)
        return {site: (project / "output" / PREFIX[site] / "letters" / "statistics" /
                       "index.html").read_text("utf-8").split("<h1>")[1] for site in SITES}

    def findings() -> set[tuple[str, str]]:
        site = load_site(load_settings(project / "pelicanconf.py"), build_date=today)
        return {(f.lang, f.where) for f in audit(site) if f.kind == "calendar"}

    # Monday to Friday, the reply on 23 February took 16 working days: late
    estimated = statistics()
    for site, page in estimated.items():
        note = page.split('<p class="notice notice--warning" role="note">')[1].split("</p>")[0]
        assert "2099" in note, site
        assert "0%" in page and "100%" not in page, site
    assert findings() == {(site, "data/holidays.yml") for site in SITES}

    # with the two weeks from 2 February off, it took 6: in time
    (project / "data" / "holidays.yml").write_text(
        "2099:\n  holidays: [2099-02-02..2099-02-13]\n", encoding="utf-8")
    declared = statistics()
    for site, page in declared.items():
        assert 'role="note"' not in page, site
        assert "100%" in page, site
    assert findings() == set()
