"""Raw HTML in Markdown: the common OWASP XSS filter-evasion vectors are stripped, embeds kept."""

from __future__ import annotations

import re

import pytest

from fedsite.render.sanitize import clean_html
from fedsite.read.settings import DEFAULT_IFRAME_HOSTS

VECTORS = [
    "<script>alert('XSS')</script>",
    "<SCRIPT SRC=http://xss.rocks/xss.js></SCRIPT>",
    "<IMG SRC=\"javascript:alert('XSS');\">",
    "<IMG SRC=javascript:alert('XSS')>",
    "<IMG SRC=JaVaScRiPt:alert('XSS')>",
    "<IMG SRC=`javascript:alert(\"RSnake says, 'XSS'\")`>",
    "<a onmouseover=\"alert(document.cookie)\">xxs link</a>",
    "<IMG \"\"\"><SCRIPT>alert(\"XSS\")</SCRIPT>\"\\>",
    "<IMG SRC=javascript:alert(String.fromCharCode(88,83,83))>",
    "<IMG SRC=# onmouseover=\"alert('xxs')\">",
    "<IMG SRC=/ onerror=\"alert(String.fromCharCode(88,83,83))\"></img>",
    "<img src=x onerror=\"&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058&#0000097&#0000108&#0000101&#0000114&#0000116&#0000040&#0000039&#0000088&#0000083&#0000083&#0000039&#0000041\">",
    "<IMG SRC=&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;&#97;&#108;&#101;&#114;&#116;&#40;&#39;&#88;&#83;&#83;&#39;&#41;>",
    "<IMG SRC=\"jav\tascript:alert('XSS');\">",
    "<IMG SRC=\"jav&#x0A;ascript:alert('XSS');\">",
    "<IMG SRC=\" &#14;  javascript:alert('XSS');\">",
    "<SCRIPT/XSS SRC=\"http://xss.rocks/xss.js\"></SCRIPT>",
    "<BODY onload!#$%&()*~+-_.,:;?@[/|\\]^`=alert(\"XSS\")>",
    "<<SCRIPT>alert(\"XSS\");//\\<</SCRIPT>",
    "<SCRIPT SRC=//xss.rocks/.j>",
    "<iframe src=http://xss.rocks/scriptlet.html <",
    "<svg/onload=alert('XSS')>",
    "<BODY BACKGROUND=\"javascript:alert('XSS')\">",
    "<INPUT TYPE=\"IMAGE\" SRC=\"javascript:alert('XSS');\">",
    "<STYLE>li {list-style-image: url(\"javascript:alert('XSS')\");}</STYLE><UL><LI>XSS</br>",
    "<LINK REL=\"stylesheet\" HREF=\"javascript:alert('XSS');\">",
    "<META HTTP-EQUIV=\"refresh\" CONTENT=\"0;url=javascript:alert('XSS');\">",
    "<IFRAME SRC=\"javascript:alert('XSS');\"></IFRAME>",
    "<TABLE BACKGROUND=\"javascript:alert('XSS')\">",
    "<DIV STYLE=\"background-image: url(javascript:alert('XSS'))\">",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<OBJECT TYPE=\"text/x-scriptlet\" DATA=\"http://xss.rocks/scriptlet.html\"></OBJECT>",
    "<EMBED SRC=\"data:image/svg+xml;base64,PHN2ZyB4bWxuczpzdmc9Imh0dH\" AllowScriptAccess=\"always\"></EMBED>",
    "<a href=\"&#x6A;avascript:alert(1)\">x</a>",
    "<form action=\"javascript:alert(1)\"><button>x</button></form>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=\"alert(1)\"></video>",
]


@pytest.mark.parametrize("vector", VECTORS)
def test_script_vectors_are_stripped(vector: str) -> None:
    out = clean_html(vector, DEFAULT_IFRAME_HOSTS).lower()
    assert "<script" not in out and "<style" not in out and "<object" not in out and "<embed" not in out
    assert not re.search(r"\son[a-z]+\s*=", out), out
    for url in re.findall(r'(?:href|src|action|background)="([^"]*)"', out):
        # Browsers drop leading spaces and control characters, then read the scheme.
        scheme = url.strip(" \t\n\r\x00\x0b\x0c\x0e").split(":", 1)[0]
        assert scheme not in ("javascript", "data", "vbscript"), out
    assert "<iframe" not in out or 'src="' not in out
    assert "<meta" not in out and "<link" not in out and "<form" not in out


@pytest.mark.parametrize("url", ["https://rutube.ru/play/embed/abc", "https://vkvideo.ru/video_ext.php?oid=1",
                                 "https://www.youtube.com/embed/xyz", "https://dzen.ru/embed/abc"])
def test_allowed_video_embeds_are_kept(url: str) -> None:
    out = clean_html(f'<iframe src="{url}" width="560" height="315" allowfullscreen></iframe>',
                     DEFAULT_IFRAME_HOSTS)
    assert f'src="{url.replace("&", "&amp;")}"' in out


@pytest.mark.parametrize("url", ["https://evil.example/embed", "http://rutube.ru/play/embed/abc",
                                 "https://rutube.ru.evil.example/x"])
def test_other_iframes_lose_their_source(url: str) -> None:
    assert "src=" not in clean_html(f'<iframe src="{url}"></iframe>', DEFAULT_IFRAME_HOSTS)


def test_feed_content_gets_absolute_urls() -> None:
    out = clean_html('<a href="../x.html">x</a><img src="img.png">', (), base_url="https://f.org/a/posts/p.html")
    assert 'href="https://f.org/a/x.html"' in out and 'src="https://f.org/a/posts/img.png"' in out


def test_an_embedded_videos_title_is_kept_for_screen_readers() -> None:
    html = '<iframe src="https://rutube.ru/play/embed/1" title="Видео: семинар"></iframe>'
    assert 'title="Видео: семинар"' in clean_html(html, DEFAULT_IFRAME_HOSTS)
