"""A crawler of the pages a user can reach by following links from the home page (Django test client).

Every link and form target a page shows must open for the user who sees it: ``crawl`` follows the links
breadth first, a few of each kind (URL name), and reports the ones that answer 403 or 404.
"""

from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.urls import Resolver404, resolve

#: links the crawler does not follow: leaving the session, the admin site, static files
SKIPPED_PREFIXES = ("/accounts/logout", "/admin/", "/static/", "/media/")


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag in ("button", "div", "form", "select", "input", "span") and attrs.get("hx-get"):
            self.links.append(attrs["hx-get"])


def links_of(html, base):
    parser = _Links()
    parser.feed(html)
    found = []
    for href in parser.links:
        if href.startswith(("#", "mailto:", "tel:", "javascript:")):
            continue
        url = urljoin(base, href)
        parts = urlsplit(url)
        if parts.netloc not in ("", "testserver"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


@dataclass
class CrawlResult:
    visited: dict = field(default_factory=dict)  # url → status
    broken: list = field(default_factory=list)  # (url, status, the page that linked it)
    #: the HTML pages that opened (not downloads)
    pages: list = field(default_factory=list)


def crawl(client, start="/", per_kind=3, limit=250, more_of=None) -> CrawlResult:
    """Follow links from ``start``: at most ``per_kind`` URLs of each URL name (``more_of``: {URL name: how many}
    for the kinds to follow further), ``limit`` in all."""
    result = CrawlResult()
    queue = deque([(start, None)])
    seen = {start}
    kinds = Counter()
    while queue and len(result.visited) < limit:
        url, referrer = queue.popleft()
        response = client.get(url)
        result.visited[url] = response.status_code
        if response.status_code in (403, 404, 500):
            result.broken.append((url, response.status_code, referrer))
            continue
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        if response.status_code == 200:
            result.pages.append(url)
        for link in links_of(response.content.decode(), url):
            path = urlsplit(link).path
            if link in seen or path.startswith(SKIPPED_PREFIXES):
                continue
            seen.add(link)
            try:
                name = resolve(path).view_name
            except Resolver404:
                result.broken.append((link, 404, url))
                continue
            kinds[name] += 1
            if kinds[name] <= (more_of or {}).get(name, per_kind):
                queue.append((link, url))
    return result
