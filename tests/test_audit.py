"""Plan audit on the real plans: Lin'an's stated totals against its project tables,
targets stated twice, flagged cells; doctored copies must be caught."""

from __future__ import annotations

from pathlib import Path

import pytest

from plangraph.analysis.audit import AuditFinding, AuditReport, audit_doc, summary
from plangraph.extract.pipeline import extract
from plangraph.ingest.pipeline import ingest_file
from plangraph.model import PlanDoc

from .conftest import LINAN


def _audit(doc: PlanDoc) -> AuditReport:
    return audit_doc(doc, extract(doc))


def _doctored(tmp_path: Path, old: str, new: str) -> AuditReport:
    text = LINAN.read_text("utf-8")
    assert old in text
    path = tmp_path / "linan-doctored.txt"
    path.write_text(text.replace(old, new), "utf-8")
    return _audit(ingest_file(path))


@pytest.fixture(scope="module")
def report(linan: PlanDoc) -> AuditReport:
    return _audit(linan)


def _one(report: AuditReport, check: str, table: str) -> list[AuditFinding]:
    return [f for f in report.findings if f.check == check and f.subject == table]


def test_every_finding_quotes_the_plan_exactly(report: AuditReport, linan: PlanDoc) -> None:
    for f in report.findings:
        if f.check != "flagged-cell":
            assert f.start is not None and f.end is not None
            assert linan.original[f.start:f.end] == f.quote


def test_linan_totals_agree_with_the_project_tables(report: AuditReport) -> None:
    kg = "学前教育计划建设项目表"
    school = "中小学计划建设项目表"
    (count,) = _one(report, "total-count", kg)
    assert (count.quote, count.computed, count.status) == ("合计21个项目", "21 rows", "consistent")
    (money,) = _one(report, "total-investment", kg)
    assert money.quote == "投资估算约5亿元" and money.status == "consistent"
    assert "50145万元" in money.computed and "5.0145亿元" in money.computed
    (count,) = _one(report, "total-count", school)
    assert count.quote == "合计18个项目" and count.status == "consistent"
    (money,) = _one(report, "total-investment", school)
    assert money.status == "consistent" and "33.9589亿元" in money.computed
    # the rows name 扩建 five times: 改扩建5 is confirmed; 续建 no row names, so a person must look
    cats = {f.stated: f.status for f in _one(report, "category-count", school)}
    assert cats["改扩建5"] == "consistent"
    assert cats["续建7"] == "needs review"
    assert not report.by_status("mismatch")


def test_linan_restated_targets_agree(report: AuditReport) -> None:
    restated = {f.subject: f for f in report.findings if f.check == "target-restated"}
    pu = restated["普惠性幼儿园覆盖面"]
    assert pu.quote == "普惠性幼儿园覆盖面保持在90%" and pu.status == "consistent"
    assert "90%" in pu.computed and "学前教育发展任务表" in pu.note
    # 研究生学历提高到10%22%: two values glued together cannot be checked
    assert restated["高中教师研究生学历比"].status == "needs review"
    # figures of 十三五 achievements (由43.5%提升到58.2%) are status, not restated targets
    assert all(not f.quote.startswith("公办幼儿园覆盖率由") for f in report.findings)


def test_linan_lists_its_glued_cells(report: AuditReport, linan: PlanDoc) -> None:
    cells = [f for f in report.findings if f.check == "flagged-cell"]
    glued = [f for f in cells if f.subject == "glued-cell"]
    assert len(glued) == 1 and glued[0].status == "needs review"
    assert glued[0].start is not None and glued[0].end is not None
    assert "0.305~7所" in linan.original[glued[0].start:glued[0].end]
    assert {f.subject for f in cells} == {"glued-cell", "suspect-ratio-cell"}


def test_national_targets_restated_in_prose_match_their_year(national_2010: PlanDoc) -> None:
    report = _audit(national_2010)
    restated = [f for f in report.findings if f.check == "target-restated"]
    assert {f.stated for f in restated} >= {"90%", "40%", "13.5年", "11.2年"}
    assert all(f.status == "consistent" for f in restated)
    assert any("(2020)" in f.computed for f in restated)


def test_a_wrong_project_count_is_flagged(tmp_path: Path) -> None:
    report = _doctored(tmp_path, "合计21个项目", "合计25个项目")
    (bad,) = report.by_status("mismatch")
    assert bad.check == "total-count" and bad.quote == "合计25个项目" and bad.computed == "21 rows"


def test_a_wrong_investment_total_is_flagged(tmp_path: Path) -> None:
    report = _doctored(tmp_path, "投资估算约5亿元", "投资估算约9亿元")
    (bad,) = report.by_status("mismatch")
    assert bad.check == "total-investment" and bad.stated == "约9亿元"


def test_about_means_half_a_unit_of_the_last_digit(tmp_path: Path) -> None:
    # 5.0145亿 is 约5亿 but not 约5.1亿 (5.05 ≤ x < 5.15), nor exactly 5亿 without 约
    assert not _doctored(tmp_path, "约5亿元", "约5.0亿元").by_status("mismatch")
    assert _doctored(tmp_path, "约5亿元", "约5.1亿元").by_status("mismatch")
    assert _doctored(tmp_path, "投资估算约5亿元", "投资估算5亿元").by_status("mismatch")


def test_a_target_stated_differently_is_flagged(tmp_path: Path) -> None:
    report = _doctored(tmp_path, "普惠性幼儿园覆盖面保持在90%", "普惠性幼儿园覆盖面保持在85%")
    (bad,) = report.by_status("mismatch")
    assert bad.subject == "普惠性幼儿园覆盖面" and bad.stated == "85%"
    assert summary(report)["mismatch"] == 1


def test_report_rows_are_plain_data(report: AuditReport) -> None:
    rows = report.rows()
    assert rows and set(rows[0]) == set(report.columns)
    assert all(isinstance(v, str | int | type(None)) for r in rows for v in r.values())
