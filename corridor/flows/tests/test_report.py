"""The monthly report: the month's figures, in each language, on two A4 pages, in real glyphs.

The PDF's text is not extracted here (that needs poppler, which CI does not install): the
figures are checked in the HTML the PDF is made from, and the PDF for its pages and its fonts.
Timings are not tested; they live in bench/ and docs/performance.md.
"""

import datetime
import io
import re
import zlib

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.http import Http404
from django.test import RequestFactory
from django.utils import translation
from pypdf import PdfReader

from corridor.accounts.models import Role, User
from corridor.flows import disclosure, presentation, report
from corridor.flows.models import GroupRecord, KindOfFlow, Reason
from corridor.flows.tests.records import store_groups
from corridor.places.models import Country, FlowMonitoringPoint

OCTOBER = datetime.date(2024, 10, 1)
SPACE = "[\u00a0\u202f ]"  # CLDR's group separator in French: a (narrow) no-break space


def group(day, point, nationality, kind=KindOfFlow.INCOMING, **values) -> GroupRecord:
    return GroupRecord(
        day=day,
        point=FlowMonitoringPoint.objects.get(code=point),
        kind_of_flow=kind,
        nationality_id=nationality,
        **values,
    )


@pytest.fixture
def months(db, officer):
    """October 2024: 435,576 movements; September: 400,000; and one group on 31 August.

    The August group is there to be left out: the change is from the previous calendar month,
    not from the 31 days before October (which would start on 31 August).
    """
    october = datetime.date(2024, 10, 9)
    records = [
        group(
            october,
            "obock-ville",
            "ET",
            previous_country_id="ET",
            final_destination_country_id="SA",
            reason=Reason.ECONOMIC,
            adult_men=300_000,
        ),
        group(
            october,
            "galafi",
            "ET",
            KindOfFlow.TRANSIT_ARABIAN_PENINSULA,
            final_destination_country_id="SA",
            reason=Reason.ECONOMIC,
            adult_men=100_000,
            adult_women=20_000,
            pregnant_or_lactating=1_234,
        ),
        group(
            october,
            "galafi",
            "SO",
            previous_country_id="YE",
            reason=Reason.RETURN_HOME,
            adult_women=15_000,
            boys=573,
        ),
        # Three Eritrean girls: a small cell, hidden from partner viewers.
        group(october, "galafi", "ER", girls=3, unaccompanied_children=3),
        group(datetime.date(2024, 9, 12), "obock-ville", "ET", adult_men=400_000),
        group(datetime.date(2024, 8, 31), "galafi", "ET", adult_men=99_999),
    ]
    for record in records:
        record.recorded_by = officer
    store_groups(records)


@pytest.fixture
def partner(db, officer) -> User:
    return User.objects.create_user(
        "partner", password="x", organisation=officer.organisation, role=Role.PARTNER_VIEWER
    )


def decompressed(pdf: bytes) -> bytes:
    """The PDF with its zlib streams inflated, object streams included (no poppler needed)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"\n".join(parts)


def page_objects(pdf: bytes) -> int:
    """How many /Type /Page objects the PDF has (not /Pages)."""
    return len(re.findall(rb"/Type\s*/Page(?![A-Za-z])", decompressed(pdf)))


def text_of(html: str) -> str:
    """The HTML's text, tags removed and spaces squeezed (no-break spaces kept)."""
    return re.sub(r"[ \t\r\n]+", " ", re.sub(r"<[^>]+>", " ", html))


# Figures, per language


def test_french_report_shows_the_month_in_french(months, officer):
    text = text_of(report.render_html(officer, OCTOBER, "fr"))
    assert "Octobre 2024" in text
    assert re.search(f"435{SPACE}576", text)  # movements
    assert re.search(f"14{SPACE}051", text)  # daily average: 435,576 / 31
    assert re.search(rf"\+9{SPACE}?%", text)  # (435,576 - 400,000) / 400,000
    assert re.search(f"septembre 2024{SPACE}?: 400{SPACE}000", text)
    assert "435,576" not in text


def test_english_report_shows_the_month_in_english(months, officer):
    text = text_of(report.render_html(officer, OCTOBER, "en"))
    assert "October 2024" in text
    assert "435,576" in text
    assert "14,051" in text
    assert re.search(r"\+9 ?%", text)
    assert "September 2024: 400,000" in text
    assert "Methodology and limitations" in text
    assert "not a census" in text and "not representative" in text
    assert "working data, not official statistics" in text


def test_change_is_from_the_previous_calendar_month(months, officer):
    with translation.override("en"):
        figures = report.context(officer, OCTOBER, "en")
    assert figures["headline"].value == 435_576
    assert figures["previous"].value == 400_000  # not 499,999: 31 August is left out
    assert figures["change"] == pytest.approx(35_576 / 400_000)


def test_report_has_every_table_of_the_month(months, officer):
    text = text_of(report.render_html(officer, OCTOBER, "en"))
    for figure in (
        "Kind of flow",
        "Sex and age",
        "Nationality",
        "Intended destination",
        "Main reason",
        "Vulnerabilities",
        "Returns from Yemen, by point",
    ):
        assert figure in text, figure
    assert "Ethiopia 420,000 96 %" in text.replace("\u00a0", " ")
    assert "Saudi Arabia 420,000" in text
    assert "Arrivals from Ethiopia 300,000" in text  # incoming, previous country Ethiopia
    assert "Returns from Yemen 15,573" in text
    assert "Pregnant or lactating women 1,234" in text
    assert "Unaccompanied children 3" in text


def test_arabic_report_is_right_to_left(months, officer):
    html = report.render_html(officer, OCTOBER, "ar")
    assert re.search(r'<html lang="ar" dir="rtl">', html)
    assert 'dir="rtl"' not in report.render_html(officer, OCTOBER, "fr")


def test_generated_on_is_in_djibouti_time(months, officer):
    # 21:30 UTC on 5 November is 00:30 on 6 November in Djibouti (UTC+3).
    now = datetime.datetime(2024, 11, 5, 21, 30, tzinfo=datetime.UTC)
    text = text_of(report.render_html(officer, OCTOBER, "en", now=now))
    assert "Generated by Corridor on Nov 6, 2024" in text
    assert "Djibouti time" in text


def test_empty_month_still_makes_a_report(db, officer):
    text = text_of(report.render_html(officer, OCTOBER, "en"))
    assert "No movement recorded" in text
    assert "—" in text  # no change without a previous month


# Who sees what


def test_partner_viewer_gets_small_cells_hidden(months, partner):
    html = report.render_html(partner, OCTOBER, "en")
    nationality = html[html.index('data-table="nationality"') :]
    nationality = nationality[: nationality.index("</table>")]
    assert "•" in nationality
    assert "Eritrea" in nationality and ">3<" not in nationality
    assert "Counts under 5" in html


def test_enumerator_sees_only_own_points(months, enumerator):
    with translation.override("en"):
        figures = report.context(enumerator, OCTOBER, "en")
    assert figures["headline"].value == 300_000  # Obock-ville only
    assert figures["previous"].value == 400_000


def test_long_tables_keep_two_pages(db, officer):
    countries = list(Country.objects.order_by("code").values_list("code", flat=True)[:30])
    points = list(FlowMonitoringPoint.objects.values_list("code", flat=True))
    store_groups(
        group(
            datetime.date(2024, 10, 1 + i % 28),
            points[i % len(points)],
            countries[i],
            list(KindOfFlow)[i % len(KindOfFlow)],
            final_destination_country_id=countries[-1 - i],
            reason=list(Reason)[i % len(Reason)],
            adult_men=100 + i,
            recorded_by=officer,
        )
        for i in range(len(countries))
    )
    html = report.render_html(officer, OCTOBER, "en")
    assert "All others (21)" in html  # 30 nationalities: 9 lines and the rest
    assert len(report.pdf_document(html).pages) == 2


def test_all_others_line_is_hidden_when_it_would_give_a_hidden_count_back():
    shown = disclosure.Cell(50, 0.5, False, "")
    hidden = disclosure.Cell(None, None, True, disclosure.REASON_SMALL)
    total = disclosure.Cell(100, 1.0, False, "")

    def rows(*cells):
        return [presentation.Row(str(i), str(i), cell) for i, cell in enumerate(cells)]

    short = report._shortened(presentation.Table("t", rows(shown, shown, shown), total), 2)
    assert [row.cell.value for row in short] == [50, 50]  # 100 - 50: published already
    assert short[-1].key == "other"
    short = report._shortened(presentation.Table("t", rows(hidden, shown, shown), total), 2)
    assert short[-1].cell.suppressed


# The PDF


def test_pdf_has_two_a4_pages(months, officer):
    pdf = report.render_pdf(officer, OCTOBER, "fr")
    assert pdf.startswith(b"%PDF")
    assert page_objects(pdf) == 2
    document = report.document(officer, OCTOBER, "fr")
    assert len(document.pages) == 2
    for page in document.pages:
        assert (round(page.width * 25.4 / 96), round(page.height * 25.4 / 96)) == (210, 297)


def fonts_used(document) -> dict[str, str]:
    """Family of each font WeasyPrint embedded -> the text it drew with it."""
    document.write_pdf()  # fonts are gathered while drawing
    drawn = {}
    for font in document.fonts.values():
        assert not font.missing, f"{font.family} lacks glyphs for {sorted(font.missing)}"
        drawn[font.family] = drawn.get(font.family, "") + "".join(font.to_unicode.values())
    return drawn


def test_arabic_is_drawn_with_an_arabic_font(months, officer, caplog):
    document = report.document(officer, OCTOBER, "ar")
    drawn = fonts_used(document)
    assert "ل" in drawn.get("Noto Naskh Arabic", ""), drawn.keys()
    assert ".notdef" not in caplog.text
    assert b"Noto-Naskh-Arabic" in decompressed(report.render_pdf(officer, OCTOBER, "ar"))


def test_geez_is_drawn_with_an_ethiopic_font(months, officer, caplog):
    Country.objects.filter(code="ET").update(name_en="ኢትዮጵያ")
    document = report.document(officer, OCTOBER, "en")
    drawn = fonts_used(document)
    assert "ኢ" in drawn.get("Noto Sans Ethiopic", ""), drawn.keys()
    assert ".notdef" not in caplog.text


def test_report_fetches_nothing_but_static_files():
    fetcher = report.static_files_only()
    with pytest.raises(ValueError, match="not a static file"):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError, match="not a static file"):
        fetcher.fetch("http://169.254.169.254/latest/meta-data/")
    with pytest.raises(ValueError, match="no such static file"):
        fetcher.fetch(report._static_prefix() + "../corridor/settings.py")
    response = fetcher.fetch(report._static_prefix() + "css/corridor.css")
    assert response.read()
    response.close()


# The view (the URL is wired in corridor/flows/urls.py; here it is called directly)


def ask(user, month="2024-10", fmt="pdf"):
    request = RequestFactory().get(f"/flows/report/{month}.{fmt}")
    request.user = user
    return report.report(request, month, fmt)


def test_view_sends_the_pdf_as_an_attachment(months, officer, english):
    response = ask(officer)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = 'attachment; filename="corridor-flows-2024-10-en.pdf"'
    assert response["Content-Disposition"] == disposition
    assert response.content.startswith(b"%PDF")


def test_view_sends_html_in_the_request_language(months, partner, english):
    response = ask(partner, fmt="html")
    assert response.status_code == 200
    page = response.content.decode()
    assert "October 2024" in page and "•" in page


@pytest.mark.parametrize(
    ("month", "fmt"),
    [("2024-13", "pdf"), ("2024-1", "pdf"), ("octobre", "html"), ("2024-10", "docx")],
)
def test_view_refuses_bad_months_and_formats(db, officer, month, fmt):
    with pytest.raises(Http404):
        ask(officer, month, fmt)


def test_view_needs_a_role_that_sees_flow_figures(db, officer):
    assert ask(AnonymousUser()).status_code == 302  # to the login page
    outsider = User.objects.create_user("outsider", password="x")
    with pytest.raises(PermissionDenied):
        ask(outsider)


# The command


def test_command_writes_the_report_where_asked(months, tmp_path, capsys):
    target = tmp_path / "october.pdf"
    call_command("flow_report", "--month", "2024-10", "--lang", "en", "--output", str(target))
    assert target.read_bytes().startswith(b"%PDF")
    printed = capsys.readouterr().out
    assert str(target) in printed and re.search(r"\(\d+\.\d\d s\)", printed)


def test_command_names_the_file_after_month_and_language(months, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    call_command("flow_report", "--month", "2024-10", "--lang", "ar", "--format", "html")
    html = (tmp_path / "corridor-flows-2024-10-ar.html").read_text(encoding="utf-8")
    assert 'dir="rtl"' in html
    assert "•" not in text_of(html)  # the information officer's view: nothing hidden


def test_command_refuses_a_bad_month(db):
    with pytest.raises(CommandError, match="YYYY-MM"):
        call_command("flow_report", "--month", "10/2024")


def test_the_pdf_text_holds_the_month_s_figures(months, officer):
    pdf = report.render_pdf(officer, OCTOBER, "fr")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    digits = re.sub(r"\s", "", text)
    assert "Octobre 2024" in text
    assert "435576" in digits  # movements
    assert "14051" in digits  # daily average
    assert "+9%" in digits  # change from September
    assert "Méthodologie et limites" in text
