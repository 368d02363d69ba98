"""Where a commitment sentence is cut into clauses: the frames that used to cut badly,
checked on exact offsets of real plan sentences."""

from __future__ import annotations

from plangraph.extract.clauses import opener, split_clauses
from plangraph.extract.pipeline import extract
from plangraph.model import PlanDoc


def _spans(sentence: str, offset: int = 0) -> list[tuple[int, int, str, str]]:
    return [(c.start, c.end, c.text, c.action) for c in split_clauses(sentence, offset)]


def test_a_lever_that_is_a_measure_is_a_clause_of_its_own() -> None:
    # Lin'an: the measure is the lever (平安校园建设); the clause after it is another one.
    s = "以“平安校园”建设为抓手,强化学校安全工作的法治化和标准化建设,进一步织密安全管理网络。"
    assert _spans(s, 1000) == [
        (1000, 1012, "以“平安校园”建设为抓手", "以…为抓手"),
        (1013, 1043, "强化学校安全工作的法治化和标准化建设,进一步织密安全管理网络", "强化"),
    ]
    assert _spans("以省中职“双高计划”建设为抓手,推进中职学校内涵建设。") == [
        (0, 15, "以省中职“双高计划”建设为抓手", "以…为抓手"), (16, 26, "推进中职学校内涵建设", "推进")]


def test_a_focus_or_a_lever_that_is_no_measure_stays_the_lead_of_its_clause() -> None:
    # 为重点 / 为导向 say what the next clause stresses; 以教育交流为载体 names no measure.
    assert _spans("以农村教师为重点,提高中小学教师队伍整体素质。") == [
        (0, 22, "以农村教师为重点,提高中小学教师队伍整体素质", "提高")]
    assert _spans("以需求为导向,坚持科学规划、合理布局、优先发展原则,持续加大教育投入。") == [
        (0, 25, "以需求为导向,坚持科学规划、合理布局、优先发展原则", "坚持"), (26, 34, "持续加大教育投入", "加大")]
    lever = _spans("依托境外杭州友好城市,以教育交流为载体,推动中华优秀传统文化传播。")[1]
    assert lever[2] == "以教育交流为载体,推动中华优秀传统文化传播"


def test_a_ba_measure_opens_a_clause() -> None:
    # 把X作为Y / 将X纳入Y state a measure with the verb after its object.
    s = "改革教师评价,把师德师风作为首要标准,突出教育教学实绩。"
    assert _spans(s, 6657) == [(6657, 6663, "改革教师评价", "改革"), (6664, 6675, "把师德师风作为首要标准", "作为"),
                               (6676, 6684, "突出教育教学实绩", "突出")]
    assert [c.action for c in split_clauses("加大投入,将教师培训经费列入政府预算。")] == ["加大", "列入"]
    assert opener("把全区教育经费全额纳入区级财政预算") == "纳入"
    # a 把 that is no such measure does not open one
    assert opener("把握教育发展规律") == ""


def test_a_list_marker_does_not_hide_the_action() -> None:
    assert _spans("——建设美好课堂样板") == [(0, 10, "——建设美好课堂样板", "建设")]
    assert opener("2.强化高素质师资队伍建设") == "强化"
    assert opener("（三）推进教育数字化") == "推进"


def test_coordinated_verbs_on_one_object_stay_one_clause() -> None:
    # 加强和改进 / 健全并落实 act on one object; cutting at 和/并 would cut nouns too (改革和发展).
    assert len(split_clauses("加强和改进教育系统党的建设。")) == 1
    assert len(split_clauses("健全并落实幼儿园办园行为基本规范。")) == 1
    assert len(split_clauses("动员全党全社会进一步关心支持教育事业的改革和发展。")) == 1


def test_the_new_cuts_on_the_real_plans(linan: PlanDoc, linping: PlanDoc) -> None:
    (safety,) = [c for c in extract(linan).commitments if c.text.startswith("以“平安校园”建设为抓手")]
    first = safety.clauses[0]
    assert first.text == "以“平安校园”建设为抓手"
    assert linan.original[first.evidence.start:first.evidence.end] == "以“平安校园”建设为抓手"
    assert safety.clauses[1].evidence.start == first.evidence.end + 1
    (ethics,) = [c for c in extract(linping).commitments if c.text.startswith("强化教师师德师风评价")]
    assert [(cl.evidence.start, cl.evidence.end) for cl in ethics.clauses] == [(210, 220), (221, 256)]
    assert linping.original[221:256].startswith("把师德表现作为教师资格定期注册")


def test_a_modifier_before_the_verb_does_not_hide_the_action() -> None:
    # 适当 / 合理 / 优先 / 研究 are no list of adverbs: the dictionary tags them as modifiers (adverb,
    # adjective, verbal noun) and the word after them is a verb, so the piece is a clause of its own.
    assert _spans("配齐所有学科专职教研员,适当提高教研员专业技术高级岗位比例。", 1006) == [
        (1006, 1017, "配齐所有学科专职教研员", "配齐"), (1018, 1035, "适当提高教研员专业技术高级岗位比例", "提高")]
    standards = split_clauses("加快现有学校改造提升和标准化学校建设,合理提高学校建设相关标准。")
    assert [c.action for c in standards] == ["加快", "提高"]
    assert opener("优先满足教共体内教师的双向交流") == "满足"
    assert opener("研究制定优惠政策") == "制定"
    # a noun before a verb is not its modifier, and two verbal nouns are a noun (教育培训, 管理服务)
    assert opener("教师培训经费列入预算") == ""
    assert opener("教育培训体系更加完善") == ""
    assert opener("服务质量显著提高") == ""


def test_the_modifier_cut_on_the_real_plans(linping: PlanDoc) -> None:
    (staff,) = [c for c in extract(linping).commitments if "配齐所有学科专职教研员" in c.text]
    assert [(cl.evidence.start, cl.evidence.end, cl.action) for cl in staff.clauses][1:] == [
        (1006, 1017, "配齐"), (1018, 1035, "提高")]
    assert linping.original[1018:1035] == "适当提高教研员专业技术高级岗位比例"


def test_word_tags_are_those_jieba_posseg_reads() -> None:
    """The tags read from the domain tokenizer's dictionary without importing jieba.posseg
    (whose import loads them a second time) are exactly those its POSTokenizer holds."""
    import jieba.posseg

    from plangraph.extract.lexicon import _word_tags, tokenizer, word_tag

    assert _word_tags() == jieba.posseg.POSTokenizer(tokenizer()).word_tag_tab
    assert word_tag("积极") == "ad" and word_tag("加强") == "v" and word_tag("不是一个词语") == ""
