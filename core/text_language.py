"""The language a text is written in, told cheaply: by its script, then by the common
words of the Latin-script languages Tandem's glossary knows (`matching.glossary`). No
Django, no dependency; the offers (a description's default language) and the matcher
(which glossary to use) both ask it.
"""

from __future__ import annotations

import re
from collections import Counter

SAMPLE = 1000  # characters read

KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff]")
HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HANGUL = re.compile(r"[\uac00-\ud7af\u1100-\u11ff\u3130-\u318f]")
THAI = re.compile(r"[\u0e00-\u0e7f]")
VIETNAMESE = re.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
LATIN_WORD = re.compile(r"[a-zà-ÿ]+")

# Common words of the Latin-script languages, to tell them apart (a cheap guess).
COMMON_WORDS = {
    "en": "the and of to in is for with on are this that be as by an",
    "de": "der die das und mit von für den ist des im zu eine einer werden sich auf dem",
    "fr": "le la les et des du une est pour dans aux sur par au sont ces qui",
    "es": "el la los las y del para con una por se en que son al sus",
    "it": "il gli della delle dei per che con una nel sono alla degli si di",
    "id": "dan yang untuk dengan dalam ini pada dari adalah atau akan mahasiswa",
    "ms": "dan yang untuk dengan dalam ini pada dari ialah atau akan pelajar kursus",
    "vi": "và của các là trong cho được những với có một này",
}
LANGUAGES_OF: dict[str, tuple[str, ...]] = {}  # common word → the languages it is common in
for _lang, _words in COMMON_WORDS.items():
    for _word in _words.split():
        LANGUAGES_OF[_word] = (*LANGUAGES_OF.get(_word, ()), _lang)
# Languages that share a glossary.
SHARED = {"zh": "cjk", "ja": "cjk", "id": "idms", "ms": "idms"}


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language when its script or its common words say it,
    else '': kana → ja, Han → zh, Hangul → ko, Thai → th; Vietnamese letters → vi; then
    the most common words of de, en, es, fr, id, it, ms."""
    sample = text[:SAMPLE]
    if not sample.isascii():
        for pattern, code in ((KANA, "ja"), (HANGUL, "ko"), (THAI, "th"), (HAN, "zh")):
            if len(pattern.findall(sample)) >= 5:
                return code
        if len(VIETNAMESE.findall(sample.lower())) >= 5:
            return "vi"
    counts: Counter[str] = Counter()
    # Filter first, count the few common words once each: a Counter update per word made
    # the detection (and so the refit of 100k offers) several seconds slower.
    common = [w for w in LATIN_WORD.findall(sample.lower()) if w in LANGUAGES_OF]
    for word, n in Counter(common).items():
        for lang in LANGUAGES_OF[word]:
            counts[lang] += n
    if not counts:
        return ""
    ranked = counts.most_common()
    best, n = ranked[0]
    others = [c for lang, c in ranked[1:] if SHARED.get(lang, lang) != SHARED.get(best, best)]
    if n < 3 or n < 1.2 * (others[0] if others else 0):
        return ""
    return best
