"""`invoke bench-pdf`: build a throwaway portal of N three-page Chinese documents twice and
report PDFs per second, the pool's peak memory and how many PDFs the second build rendered."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import yaml

from portal_build import build
from portal_build.trees import settle

from . import render

MENUS = {"main": [{"path": "", "label": {"zh": "首页", "en": "Home", "ja": "ホーム", "ko": "홈"}}]}
SENTENCES = (
    "为进一步优化营商环境，激发市场主体活力，结合本区实际，制定本办法。",
    "各镇（区、街道）、区各有关部门要高度重视，明确责任分工，确保各项措施落到实处。",
    "对符合条件的企业，按照实际投资额的一定比例给予奖励，单个项目最高不超过五百万元。",
    "申请人应当如实提交申请材料，并对材料的真实性、合法性负责。",
    "区财政局会同区发展和改革委员会负责资金的审核拨付和绩效评价工作。",
    "鼓励企业加大研发投入，建设高水平研发机构，开展关键核心技术攻关。",
    "对弄虚作假骗取奖补资金的，依法依规追回已拨付资金，并纳入信用记录。",
    "本办法执行过程中如遇上级政策调整，按照上级有关规定执行。",
    "加强沿海湿地生态保护，严格落实生态保护红线制度，推进绿色低碳发展。",
    "完善政务服务事项清单，推行一网通办，提高办事效率和群众满意度。",
    "坚持以人民为中心的发展思想，持续改善民生，增进人民群众福祉。",
)


def document(number: int, articles: int = 11) -> str:
    """About three A4 pages of Chinese, different for every number."""
    parts = [f"---\ntitle: 大丰区关于推进重点工作的实施办法（第{number}号）\ndate: 2026-01-01\n"
             "category: {category}\npdf: true\n---\n"]
    for article in range(1, articles + 1):
        start = (number + article) % len(SENTENCES)
        body = "".join(SENTENCES[(start + k) % len(SENTENCES)] for k in range(5))
        parts.append(f"## 第{article}条\n\n{body}\n")
    return "\n".join(parts)


def project(root: Path, portal: Path, count: int) -> Path:
    """A portal with the real settings, theme and data, and ``count`` PDF documents."""
    shutil.copy(portal / "pelicanconf.py", root)
    (root / "theme").symlink_to(portal / "theme")
    shutil.copytree(portal / "data", root / "data")
    (root / "data" / "menus.yml").write_text(yaml.safe_dump(MENUS, allow_unicode=True),
                                             encoding="utf-8")
    category = next(iter(yaml.safe_load((root / "data" / "categories.yml").read_text("utf-8"))))
    news = root / "content" / "zh" / "news"
    news.mkdir(parents=True)
    for number in range(1, count + 1):
        text = document(number).replace("{category}", category)
        (news / f"bench-{number:04d}.md").write_text(text, encoding="utf-8")
    return root


def run(portal: Path, count: int, jobs: int = 0) -> str:
    """Two builds of a fresh benchmark portal; the report as text."""
    import portal_pdf

    overrides = {"PORTAL_PDF_JOBS": jobs} if jobs else {}
    with tempfile.TemporaryDirectory(prefix="portal-bench-pdf-") as tmp:
        root = project(Path(tmp), portal, count)
        conf, output = root / "pelicanconf.py", root / "output"
        build(conf, output, build_date=dt.date.today(), **overrides)
        first = portal_pdf.last_run
        build(conf, output, build_date=dt.date.today(), **overrides)
        second = portal_pdf.last_run
        settle(output)  # the builds' background work, before the folder goes
    mb = 1024 * 1024
    lines = [
        f"first build: {first.rendered} PDFs ({first.pages} pages) in {first.seconds:.2f} s "
        f"on {first.workers} workers: {first.rendered / first.seconds:.1f} PDFs/s, "
        f"{first.seconds / max(first.rendered, 1):.3f} s per PDF amortized",
        f"CPU time per PDF in a worker: {first.cpu_seconds / max(first.rendered, 1):.3f} s "
        f"(wall {first.render_seconds / max(first.rendered, 1):.3f} s; the difference is "
        "waiting for a core other processes hold)",
        f"peak memory of the pool: {first.pool_peak / mb:.0f} MB (sum of the {first.workers} "
        f"largest worker peaks; workers replaced every {render.MAX_TASKS} PDFs; "
        f"largest single worker {max(first.peak_rss.values(), default=0) / mb:.0f} MB)",
        f"second build: {second.rendered} re-rendered, {second.cached} from the cache "
        f"in {second.seconds:.2f} s",
    ]
    cgroup = Path("/sys/fs/cgroup/memory.peak")
    if cgroup.exists():
        lines.append(f"cgroup memory peak (everything in this cgroup): "
                     f"{int(cgroup.read_text()) / mb:.0f} MB")
    return "\n".join(lines)

