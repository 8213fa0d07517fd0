"""Settings of the Dafeng portal for local builds (see publishconf.py for production).

Values given as {language: value} are shown in the visitor's language.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "plugins"))

# --- Languages: the first is the default, served at the root --------------------------
LANGUAGES = [
    {"code": "zh", "tag": "zh-Hans", "locale": "zh_Hans_CN", "name": "简体中文", "short": "简",
     "prefix": "", "cjk": True},
    # Generated from the Chinese content with OpenCC (s2t, s2twp for Taiwan phrasing, s2hk);
    # hand-written files under content/zh-hant/ win over the conversion.
    {"code": "zh-hant", "tag": "zh-Hant", "locale": "zh_Hant_TW", "name": "繁體中文", "short": "繁",
     "prefix": "zh-hant", "cjk": True, "derived_from": "zh", "conversion": "s2t"},
    {"code": "en", "tag": "en", "locale": "en_US", "name": "English", "short": "EN",
     "prefix": "en", "cjk": False},
    {"code": "ja", "tag": "ja", "locale": "ja_JP", "name": "日本語", "prefix": "ja", "cjk": True},
    {"code": "ko", "tag": "ko", "locale": "ko_KR", "name": "한국어", "prefix": "ko", "cjk": True},
]
DEFAULT_LANG = "zh"
TIMEZONE = "Asia/Shanghai"

# --- The city --------------------------------------------------------------------------
SITENAME = "大丰区人民政府"
CITY_NAME = {
    "zh": "盐城市大丰区人民政府",
    "en": "Dafeng District People's Government",
    "ja": "大豊区人民政府",
    "ko": "다펑구 인민정부",
}
SPONSOR = {
    "zh": "盐城市大丰区人民政府办公室",
    "en": "General Office of the Dafeng District People's Government",
    "ja": "大豊区人民政府弁公室",
    "ko": "다펑구 인민정부 판공실",
}
CONTACT_ADDRESS = {
    "zh": "江苏省盐城市大丰区健康西路 36 号",
    "en": "36 Jiankang West Road, Dafeng District, Yancheng, Jiangsu",
    "ja": "江蘇省塩城市大豊区健康西路36号",
    "ko": "장쑤성 옌청시 다펑구 젠캉시루 36호",
}
CONTACT_EMAIL = "webmaster@dafeng.gov.cn"
CONTACT_PHONE = "0515-83512345"
HOTLINE = "12345"
SOCIAL_LINKS = [
    {"name": {"zh": "微信公众号", "en": "WeChat", "ja": "WeChat", "ko": "위챗"},
     "url": "https://mp.weixin.qq.com/"},
    {"name": {"zh": "政务微博", "en": "Weibo", "ja": "Weibo", "ko": "웨이보"},
     "url": "https://weibo.com/"},
]
# Government identifiers: rendered only when set.
SITE_ID_CODE = "3209820001"  # 网站标识码
ICP_RECORD = "苏ICP备05002345号"  # ICP备案号
ICP_URL = "https://beian.miit.gov.cn/"
PSB_RECORD = ""  # 公安机关备案号, e.g. 苏公网安备 32098202000123号
PSB_URL = "https://beian.mps.gov.cn/"
SITE_DOMAIN = "www.dafeng.gov.cn"  # SiteDomain <meta> tag of the national page specification
# ColumnType <meta> tag per section (the specification's column categories); a section not
# listed here gets no column tags.
PORTAL_COLUMN_TYPES = {"news": "政务动态", "notices": "通知公告", "pages": "走进大丰",
                       "mailbox": "互动交流"}
# Footer badges: plain links with a local image (theme/static/...), no third-party script.
# 党政机关网站标识: the link with the id issued by CONAC; 我为政府网站找错: the State Council's
# error-reporting service with this site's identification code.
GOV_BADGES = [
    {"url": "https://bszs.conac.cn/sitename?method=show&id=3209820001DAFENG",
     "image": "img/conac.svg", "width": 48, "height": 58,
     "alt": {"zh": "党政机关网站标识", "en": "Party and government website mark (CONAC)",
             "ja": "党政機関ウェブサイト標識", "ko": "당정기관 웹사이트 표지"}},
    {"url": "https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=3209820001",
     "image": "img/jiucuo.svg", "width": 110, "height": 55,
     "alt": {"zh": "我为政府网站找错", "en": "Report an error on a government website",
             "ja": "政府ウェブサイトの誤りを報告", "ko": "정부 웹사이트 오류 신고"}},
]
# Where the mailbox form (/mailbox/write/) posts: the city's existing letter system. Empty:
# the page shows e-mail, hotline and postal address instead of a form.
PORTAL_FORM_ENDPOINT = "https://www.dafeng.gov.cn/szxx/submit"

# --- Open government -------------------------------------------------------------------
# Where consultation responses are posted (the city's existing system); empty: e-mail and
# post only. A consultation's own 'form_url:' overrides it.
PORTAL_CONSULTATION_FORM_URL = "https://www.dafeng.gov.cn/hdjl/yjzj/"
PORTAL_LETTER_REPLY_LIMIT = 15  # working days to answer a letter (China's official calendar)
# `invoke audit`: days a column may go without an update, and letters' age without an answer.
PORTAL_AUDIT_STALE_DAYS = {"news": 14, "notices": 183, "policies": 183}
PORTAL_AUDIT_UNANSWERED_DAYS = 91

# --- Build -------------------------------------------------------------------------------
PORTAL_SITE_URL = "http://127.0.0.1:8000"  # absolute base for sitemap and robots.txt
PORTAL_PAGE_SIZE = 20
PORTAL_SHOW_UNTRANSLATED = False  # True lists untranslated Chinese items, badged
PORTAL_CACHE = ".cache"
# PDFs (portal_pdf): sections whose items always get one (others: `pdf: true` in front matter),
# and the font each language's PDFs are set in, the fontconfig language it must cover and
# the Debian package that installs it. PORTAL_PDF_JOBS = N limits the rendering processes.
PORTAL_PDF_SECTIONS = ["policies"]
PORTAL_PDF_FONTS = {
    "zh": {"family": "Noto Serif CJK SC", "covers": "zh-cn", "package": "fonts-noto-cjk"},
    "zh-hant": {"family": "Noto Serif CJK TC", "covers": "zh-tw", "package": "fonts-noto-cjk"},
    "en": {"family": "Noto Serif CJK SC", "covers": "en", "package": "fonts-noto-cjk"},
    "ja": {"family": "Noto Serif CJK JP", "covers": "ja", "package": "fonts-noto-cjk"},
    "ko": {"family": "Noto Serif CJK KR", "covers": "ko", "package": "fonts-noto-cjk"},
}

# --- Feeds and syndication (see docs/operating.md) --------------------------------------
PORTAL_TAG_AUTHORITY = "dafeng.gov.cn,2026"  # tag: URI authority of entry ids; never change it
PORTAL_FEED_CONTENT = "full"  # "full" articles in feeds, or "summary"
PORTAL_FEED_LIMIT = 50  # newest entries per feed; 0 for all
PORTAL_WEBSUB_HUB = ""  # e.g. "https://pubsubhubbub.appspot.com/": announced and pinged
PORTAL_SYNDICATION = "syndication.yml"  # partners that receive pushes (invoke syndicate)

PATH = "content"
THEME = "theme"
THEME_STATIC_DIR = "theme"
PLUGINS = ["portal_model", "portal_history", "portal_i18n", "portal_gov", "portal_opencc",
           "portal_lists", "portal_sitemap", "portal_pdf", "portal_feeds", "portal_syndication",
           "portal_audit", "portal_search", "portal_links"]
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True,
                     "extensions": ["jinja2.ext.i18n"]}

ARTICLE_PATHS = ["news", "notices", "policies", "interpretations", "procurement",
                 "procurement-notices", "consultations", "letters", "departments"]
PAGE_PATHS = ["pages"]
STATIC_PATHS: list[str] = []
ARTICLE_URL = "{section}/{slug}/"
ARTICLE_SAVE_AS = "{section}/{slug}/index.html"
ARTICLE_LANG_URL = ARTICLE_URL
ARTICLE_LANG_SAVE_AS = ARTICLE_SAVE_AS
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
PAGE_LANG_URL = PAGE_URL
PAGE_LANG_SAVE_AS = PAGE_SAVE_AS
DRAFT_SAVE_AS = DRAFT_LANG_SAVE_AS = DRAFT_PAGE_SAVE_AS = DRAFT_PAGE_LANG_SAVE_AS = ""
USE_FOLDER_AS_CATEGORY = False
SLUGIFY_SOURCE = "basename"

# Lists, categories and tags are written by portal_lists; Pelican writes details and 404.
DIRECT_TEMPLATES = ["404"]
INDEX_SAVE_AS = ""
CATEGORY_SAVE_AS = TAG_SAVE_AS = AUTHOR_SAVE_AS = ""
CATEGORIES_SAVE_AS = TAGS_SAVE_AS = AUTHORS_SAVE_AS = ARCHIVES_SAVE_AS = ""
YEAR_ARCHIVE_SAVE_AS = MONTH_ARCHIVE_SAVE_AS = DAY_ARCHIVE_SAVE_AS = ""
FEED_ALL_ATOM = FEED_ALL_RSS = CATEGORY_FEED_ATOM = TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = AUTHOR_FEED_RSS = TAG_FEED_ATOM = FEED_ATOM = FEED_RSS = None
RELATIVE_URLS = False
READERS = {"rst": None, "html": None, "htm": None}  # content is Markdown with YAML front matter
