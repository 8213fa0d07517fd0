"""Settings of the Dafeng portal for local builds (see publishconf.py for production).

Values given as {language: value} are shown in the visitor's language.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent / "plugins"))

# --- Languages: the first is the default, served at the root --------------------------
LANGUAGES = [
    {"code": "zh", "tag": "zh-Hans", "locale": "zh_Hans_CN", "name": "简体中文", "prefix": "",
     "cjk": True},
    {"code": "en", "tag": "en", "locale": "en_US", "name": "English", "prefix": "en",
     "cjk": False},
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

# --- Build -------------------------------------------------------------------------------
PORTAL_SITE_URL = "http://127.0.0.1:8000"  # absolute base for sitemap and robots.txt
PORTAL_PAGE_SIZE = 20
PORTAL_SHOW_UNTRANSLATED = False  # True lists untranslated Chinese items, badged
PORTAL_CACHE = ".cache"

PATH = "content"
THEME = "theme"
THEME_STATIC_DIR = "theme"
PLUGINS = ["portal_model", "portal_i18n", "portal_lists", "portal_sitemap", "portal_search"]
JINJA_ENVIRONMENT = {"autoescape": True, "trim_blocks": True, "lstrip_blocks": True,
                     "extensions": ["jinja2.ext.i18n"]}

ARTICLE_PATHS = ["news", "notices"]
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
