"""Offers described in other languages still match (issue 14 part 4): the subject
glossary and the word segmentation of `matching.glossary`, in the text model."""

import pytest

from matching import glossary
from matching.similarity import TextModel

ENGLISH_ACCOUNTING = (
    "Financial Accounting. Bookkeeping, balance sheets, income statements and the "
    "accounting cycle of small firms; accounting standards and financial reporting."
)
ENGLISH_CHEMISTRY = (
    "General Chemistry. Atoms, molecules, chemical bonds and reactions, stoichiometry, "
    "acids and bases, and safe work in the chemistry laboratory."
)
GERMAN_ACCOUNTING = (
    "Einführung in das Rechnungswesen. Die Studierenden lernen die Grundlagen der "
    "Buchführung und der Bilanzierung kennen und erstellen eine Gewinn- und "
    "Verlustrechnung für kleine Unternehmen."
)
JAPANESE_ACCOUNTING = "会計学入門。簿記の基礎を学び、貸借対照表と損益計算書を作成する。"
# More English offers, so the words of both subjects occur in more than one text.
OTHERS = [
    "Managerial accounting: cost accounting, budgets and decisions in firms.",
    "Organic chemistry: carbon compounds, chemical synthesis and spectroscopy.",
    "Introduction to programming in Python for beginners.",
    "Marine ecology of coral reefs and mangroves.",
]


def fit(**params) -> TextModel:
    texts = [ENGLISH_ACCOUNTING, ENGLISH_CHEMISTRY, GERMAN_ACCOUNTING, JAPANESE_ACCOUNTING]
    return TextModel(**params).fit(list(enumerate(texts + OTHERS)))


@pytest.mark.parametrize("query", [2, 3], ids=["German", "Japanese"])
def test_an_accounting_offer_in_another_language_ranks_english_accounting_above_chemistry(
    query,
):
    model = fit()
    scores = model.scores(model.vector(query))
    assert scores[0] > scores[1]
    assert scores[0] > 0.05


def test_without_the_glossary_those_offers_share_nothing_with_the_english_one():
    model = fit(glossary=False)
    for query in (2, 3):
        scores = model.scores(model.vector(query))
        assert not scores[0] > scores[1] + 0.05


def test_a_new_text_is_read_as_the_stored_ones():
    model = fit()
    scores = model.scores(model.transform([GERMAN_ACCOUNTING]))
    assert scores[0] > scores[1]
    assert abs(scores[2] - 1.0) < 1e-5


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("会計学の基礎として簿記と財務諸表の作成を学ぶ。", "ja"),
        ("本课程介绍会计学的基本原理和财务报表。", "zh"),
        ("이 과목은 회계학의 기초와 재무제표 작성을 다룬다.", "ko"),
        ("วิชานี้ศึกษาหลักการบัญชีเบื้องต้นและการจัดทำงบการเงิน", "th"),
        ("Học phần giới thiệu các nguyên lý kế toán và báo cáo tài chính.", "vi"),
        ("Die Studierenden lernen die Grundlagen der Buchführung und der Bilanz.", "de"),
        ("Ce cours présente les bases de la comptabilité et de la gestion.", "fr"),
        ("Este curso presenta los fundamentos de la contabilidad y las finanzas.", "es"),
        ("Mata kuliah ini membahas dasar akuntansi dan laporan keuangan untuk mahasiswa.", "id"),
        ("This course covers the basics of accounting and financial statements.", "en"),
    ],
)
def test_the_language_is_told_from_the_script_or_common_words(text, language):
    assert glossary.detect_language(text) == language


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Grundlagen der Finanzbuchhaltung", "de"),  # the head of a compound
        ("会計学入門", "ja"),
        ("회계학 원론", "ko"),
        ("หลักการบัญชี", "th"),
        ("Nguyên lý kế toán", "vi"),
        ("Comptabilité générale", "fr"),
        ("Pengantar akuntansi", "ms"),  # Indonesian and Malay share a glossary
    ],
)
def test_the_glossary_of_the_language_says_accounting(text, language):
    assert glossary.concept_words(text, language) == ["accounting"]


def test_the_declared_language_picks_the_glossary():
    assert glossary.concept_words("Recht und Wirtschaft", "de")[0] == "law legal"
    assert glossary.concept_words("Recht und Wirtschaft", "fr") == []


def test_english_text_comes_back_unchanged():
    assert glossary.prepare(ENGLISH_ACCOUNTING) is ENGLISH_ACCOUNTING
    assert glossary.prepare(ENGLISH_ACCOUNTING, "en") is ENGLISH_ACCOUNTING


def test_scripts_without_spaces_are_cut_into_bigrams():
    assert glossary.segment("会計学").split() == ["会計", "計学"]
    assert glossary.segment("Python と 会計").split() == ["Python", "と", "会計"]
    prepared = glossary.prepare("会計学入門", "ja")
    assert prepared.split("\n")[0].split() == ["会計", "計学", "学入", "入門"]
    assert prepared.split("\n")[1] == "accounting"


def test_a_concept_named_again_and_again_counts_three_times():
    text = " ".join(["Buchhaltung"] * 10)
    assert glossary.concept_words(text, "de") == ["accounting"] * 3
