"""The words of an indicator's name that state a facet (#24), for :mod:`plangraph.extract.facets`.

Each entry is (term, the facets it states as ``key=value`` separated by spaces, whether it
leaves the core). The keys and values are those of ``ontology/indicator-scheme.ttl``; the
narrowing keys (``intake``, ``change``, ``level``, ``sector``, ``attainment``) are read by the
matcher beside them.
"""

from __future__ import annotations

# (term, facets it states, whether it leaves the core). Longest terms are tried first,
# so 学前一年 is read before 学前 and 中小学 before 小学. Words that are the measured
# thing itself (入园, 入学, 巩固) stay in the core: they are what labels are compared on.
TERMS: tuple[tuple[str, str, bool], ...] = (
    # span and stage
    ("学前一年", "stage=preschool span=one-year", True),
    ("学前两年", "stage=preschool span=two-year", True),
    ("学前二年", "stage=preschool span=two-year", True),
    ("学前三年", "stage=preschool span=three-year", True),
    ("学前第四年", "stage=preschool span=fourth-year", True),
    # the ages of a span (normalised to 3—5岁): 3—5岁幼儿毛入园率 is the three-year rate
    ("3—5岁", "stage=preschool span=three-year", True), ("3—6岁", "stage=preschool span=three-year", True),
    ("0—3岁", "population=infants", True),
    ("学前教育", "stage=preschool", True), ("学前段", "stage=preschool", True), ("学前", "stage=preschool", True),
    ("幼儿园", "stage=preschool", True), ("幼儿", "stage=preschool", True), ("托幼", "stage=preschool", True),
    ("托位", "stage=preschool", False),
    ("入园", "stage=preschool", False), ("在园", "stage=preschool", False),
    ("初高中", "stage=junior|senior|general-senior", True),  # junior and senior secondary both
    ("教学点", "stage=primary kind=teaching-point", False),  # primary teaching points, a kind of their own
    ("小学", "stage=primary", True), ("初中", "stage=junior", True), ("初级中学", "stage=junior kind=junior-middle", True),
    ("九年义务教育", "stage=compulsory", True), ("义务教育", "stage=compulsory", True),
    ("义务段", "stage=compulsory", True), ("中小学", "stage=compulsory", True), ("九年", "stage=compulsory", True),
    ("普通高中", "stage=general-senior", True), ("普高", "stage=general-senior", True),
    ("高中阶段教育", "stage=senior", True), ("高中阶段", "stage=senior", True), ("高中段", "stage=senior", True),
    ("高中", "stage=senior|general-senior", True),
    ("中等职业教育", "stage=secondary-vocational", True), ("中等职业学校", "stage=secondary-vocational", True),
    ("中职学校", "stage=secondary-vocational", True), ("中职", "stage=secondary-vocational", True),
    # one kind of school of a stage (the statistics count 初中 as 初级中学, 九年一贯制 and 完全中学
    # schools; 中职 as 中专, 职业中学 and 技工学校): a count of the stage is not the kind's
    ("职业中学", "stage=secondary-vocational kind=vocational-high", True),
    # and the other kinds the statistics count by (#24, after blind8): 普通中学 are the junior and general
    # senior schools together, 完全中学 have both, 九年一贯制 / 十二年一贯制 schools run the stages
    # through, 高级中学 are general senior schools of one kind, 技工学校 and 中等专业学校 vocational ones
    ("普通中学", "stage=junior|general-senior kind=general-secondary", True),
    ("完全中学", "stage=junior|general-senior kind=complete-secondary", True),
    ("高级中学", "stage=general-senior kind=senior-high", True),
    ("九年一贯制", "stage=compulsory kind=nine-year", True),
    ("十二年一贯制", "stage=compulsory|general-senior kind=twelve-year", True),
    ("技工学校", "stage=secondary-vocational kind=technical", True),
    ("技工院校", "stage=secondary-vocational kind=technical", True),
    ("中等专业学校", "stage=secondary-vocational kind=specialised", True),
    # 其他 (其他学校, 其他教育经费): what is left of a breakdown, a remainder no concept counts
    ("其他", "sum=other", False), ("其它", "sum=other", False),
    ("职高", "stage=secondary-vocational kind=vocational-high", True),
    ("高等职业教育", "stage=higher-vocational", True), ("高职院校", "stage=higher-vocational", True),
    ("高等职业院校", "stage=higher-vocational", True), ("高等职业学校", "stage=higher-vocational", True),
    ("高职", "stage=higher-vocational", True),
    ("职业教育", "stage=vocational", True), ("职业院校", "stage=vocational", True), ("职教", "stage=vocational", True),
    ("普通本科高校", "stage=higher degree=bachelor", True), ("高等教育", "stage=higher", True),
    ("高等学校", "stage=higher", True),
    # 扩大 (expand) before 学校 or 学前 is no 大学: 扩大学校…自主权, 扩大学前教育资源
    ("扩大", "", False),
    ("高校", "stage=higher", True), ("大学", "stage=higher", True),
    # special schools are one part of special education (with 随班就读 and 附设特教班): a count of
    # them is no count of all special-education pupils, nor the reverse
    ("特殊教育学校", "stage=special kind=special-school", True),
    ("特殊教育", "stage=special", True), ("特教", "stage=special", True), ("特殊学校", "stage=special", True),
    ("继续教育", "stage=lifelong", False), ("终身教育", "stage=lifelong", True), ("终身学习", "stage=lifelong", True),
    ("社区教育", "stage=lifelong", True), ("老年教育", "stage=lifelong", True), ("成人教育", "stage=lifelong", True),
    # attainment: the education a population has had, not the stage of the indicator
    # (受过高等教育 is no 受过高中阶段及以上教育)
    ("受过高中阶段及以上教育", "attainment=senior-and-above", False),
    ("受过高中及高等教育", "attainment=senior-and-above", False), ("受过高等教育", "attainment=higher", False),
    # the years a child may expect, no years a population has had (人均受教育年限)
    ("预期受教育", "outlook=expected", False),
    ("高等教育文化程度", "attainment=higher", False), ("大学文化程度", "attainment=higher", False),
    # intake, a flow, is no enrolment (义务教育阶段招生 is no 义务教育阶段在校生)
    ("招生", "intake=yes", False), ("招收", "intake=yes", False), ("录取", "intake=yes", False),
    ("入园幼儿", "stage=preschool intake=yes", False),  # the bulletins' word for kindergartens' intake
    # adult higher education is outside 普通高等学校 (成人高等学校, 成人本专科)
    # what a bracket says is counted in beside the row's own (小学（含187个教学点）): a sum, no one concept
    ("并含", "sum=yes", False),
    ("成人高等学校", "stage=higher sector=adult", True), ("成人高校", "stage=higher sector=adult", True),
    ("成人高等教育", "stage=higher sector=adult", True), ("成人本专科", "stage=higher sector=adult", True),
    # degree
    ("研究生", "degree=postgraduate", True),
    # one of the two postgraduate degrees: 在学博士生 is a part of 在学研究生
    ("硕士", "degree=postgraduate level=master", True), ("博士", "degree=postgraduate level=doctoral", True),
    ("本专科", "stage=higher", True),  # 普通本专科: higher education, both tiers, no one degree
    ("本科专科", "stage=higher", True), ("专科本科", "stage=higher", True),  # 在校本科、专科学生
    ("本科", "degree=bachelor", True), ("专科", "degree=associate", True), ("大专", "degree=associate", True),
    # a span of titles: 中高级职称 counts intermediate and senior titles, no 高级职称 share
    ("中高级", "tier=intermediate-and-senior", False),
    # ownership
    ("普及普惠", "", False),  # universal and inclusive (an accreditation's name), no ownership
    ("公办", "ownership=public", True), ("普惠性", "ownership=inclusive", True), ("普惠", "ownership=inclusive", True),
    ("民办", "ownership=private", True),
    # a county-level division (县（市、区）) is no urban population
    ("县市区", "", False), ("县区市", "", False), ("市县区", "", False),
    # population
    ("专任教师", "population=teachers", True),
    # 专职教师, 兼职教师: teachers (not 职教, vocational education, inside 专职教师)
    ("专职教师", "population=teachers", True), ("兼职教师", "population=teachers", True),
    ("教师", "population=teachers", True), ("师资", "population=teachers", True),
    ("教职工", "population=staff", True), ("校长", "population=principals", True),
    ("园长", "stage=preschool population=principals", True),  # a kindergarten's head
    ("特需儿童", "population=disabled", True), ("特殊需要", "population=disabled", True),
    ("居民", "population=residents", True), ("市民", "population=residents", True),
    ("人民群众", "population=residents", True), ("社会公众", "population=residents", True),
    ("婴幼儿", "population=infants", True), ("3岁以下", "population=infants", True),
    ("乡村", "population=rural", True), ("农村", "population=rural", True),
    ("市区", "population=urban", True), ("城区", "population=urban", True), ("主城区", "population=urban", True),
    ("城镇", "population=urban", True), ("寄宿制", "population=boarding", True), ("寄宿", "population=boarding", True),
    ("持证上岗", "", False), ("资格证持证", "", False), ("资格持证", "", False),  # a teacher's certificate
    ("残疾", "population=disabled", True), ("持证", "population=disabled", True),
    ("三残", "population=disabled", True),
    ("随迁子女", "population=migrant", True), ("随迁", "population=migrant", True), ("进城务工", "population=migrant", True),
    ("外来务工", "population=migrant", True), ("留守", "population=left-behind", True),
    ("主要劳动年龄人口", "population=main-working-age", True), ("劳动年龄人口", "population=working-age", True),
    ("新增劳动力", "population=new-workforce", True), ("从业人员", "population=employed", True),
    ("毕业生", "population=graduates", True), ("毕业学生", "population=graduates", True),
    ("升学", "population=graduates", False),  # 中职学生升学比例: those who go on have graduated
    ("公务员", "population=civil-servants", True),  # 当地公务员年平均工资收入 is no teachers' salary
    ("老年人", "population=elderly", True),
    ("家长", "population=parents", True),
    ("老年", "population=elderly", True),
    ("学生", "population=students", True), ("在校生", "population=students measure=count", True),
    ("在校生规模", "population=students measure=count", True),  # the students counted (学校规模 is no count)
    ("儿童少年", "population=children", True), ("儿童", "population=children", True),
    ("少年", "population=children", True),
    # a flow, not a stock: 新增幼儿园学位 is no 幼儿园学位数, 普惠性幼儿园数 no 新改扩建幼儿园
    ("新改扩建", "change=new", False), ("新建改扩建", "change=new", False), ("改扩建", "change=new", False),
    ("新建", "change=new", False), ("新增", "change=new", False), ("扩建", "change=new", False),
    ("改建", "change=new", False),
    ("增加", "change=new", False),
    # gross or net: 毛入园率 counts every child enrolled, 净入学率 and 适龄 only those of the
    # stage's age (适龄幼儿入园率 is no 毛入园率)
    ("毛入园率", "stage=preschool basis=gross", False), ("毛入学率", "basis=gross", False),
    ("净入园率", "stage=preschool basis=net", False), ("净入学率", "basis=net", False),
    ("适龄", "basis=net", False),
    # per so many residents: 每千人口托位数 is no count of places (托位数)
    ("每千人口", "per=residents", False), ("千人口", "per=residents", False), ("每万人口", "per=residents", False),
    ("每十万人口", "per=residents", False),
    # the reverse of what a rate measures, or a change of it: 控辍保学率 is no 辍学率, 消除大班额 no 大班额比例
    ("非文盲", "polarity=reverse", False),  # 青壮年非文盲率 is the reverse of 青壮年文盲率
    ("控辍", "polarity=reverse", False), ("消除", "polarity=reverse", False), ("降低", "polarity=reverse", False),
    ("减少", "polarity=reverse", False), ("下降", "polarity=reverse", False), ("化解", "polarity=reverse", False),
    # measure
    ("生师比", "measure=ratio", False), ("师生比", "measure=ratio", False), ("师幼比", "measure=ratio", False),
    ("生均", "measure=per-student", True), ("班额", "measure=class-size", False),
    ("超大班额", "aspect=super-large-class", False), ("大班额", "aspect=large-class", False),
    ("标准班额", "aspect=standard-class-size", False),
    ("每百名学生", "measure=per-student", True), ("系数", "measure=ratio", False),
    ("人均", "measure=per-capita", False),  # per resident: 人均体育场地面积 is no 生均 area
    ("得分", "measure=level", False), ("满意度", "measure=level", False), ("督导评估", "measure=level", False),
    ("认定", "measure=level", False),
    ("年限", "measure=years", False), ("面积", "measure=area", False),
    ("人数", "measure=count", False), ("所数", "measure=count", False), ("创建数", "measure=count", False),
    ("数量", "measure=count", False), ("规模", "measure=count", False),
    ("经费", "measure=money funds=yes", False), ("投入", "measure=money funds=yes", False),
    ("支出", "funds=yes", False),  # a share of money (教师培训经费占比) is no share of people
    # a grade that narrows what is counted: 省级示范幼儿园 are no new kindergartens, 基本均衡 no 优质均衡
    ("示范", "grade=model", False), ("星级", "grade=model", False), ("优质均衡", "grade=quality-balance", False),
    ("比例", "measure=rate", True), ("占比", "measure=rate", True), ("比重", "measure=rate", True),
    ("覆盖面", "measure=rate", False), ("覆盖率", "measure=rate", False),
)

# Long and short names of one thing, written one way before a name is read (#24): the county
# statistics' 中等职业技术学校 is the scheme's 中等职业学校 (中职学校), 在园学生 are 在园幼儿,
# 在职教职工 all 教职工, and 各类学校和幼儿园 (在校学生幼儿) what the statistics call 各级各类学校
# (在校生): their kindergartens (children) are counted in. (pattern, written as)
SAME_NAMES: tuple[tuple[str, str], ...] = (
    # OCR slips of 入 read as 人 (#24, blind9: 毛人学率, 人园率 in a scanned yearbook), only where 人
    # makes no word: before 学率/园率, after 毛/净, before what enters (入学人数, 入园幼儿); never 人数,
    # 人均, 成人学校, 老年人学习, 招收人数
    (r"(?<=[毛净])人(?=[学园])|(?<![成个私])人(?=[学园](?:率|年龄|人数|儿童|幼儿))", "入"),
    (r"投人(?![数员次口力])", "投入"), (r"(?<![接吸容])纳人(?![数员次口])", "纳入"),
    (r"(?<![招接])收人(?![数员次口])", "收入"),
    # how a table words a target, left at the end of a name whose figure follows
    # (高中阶段毛入学率不低于, 义务教育巩固率达到): no part of what is measured
    (r"(?:力争)?(?:不低于|不少于|不高于|不超过|保持在|稳定在|达到|控制在)$", ""),
    # 职业技术 in a school's or a stage's name is 职业 (中等职业技术学校, 职业技术教育); a
    # 职业技术学院 is a higher vocational college
    (r"高等职业(?:技术)?学院", "高等职业院校"),
    (r"职业技术学院", "高职院校"),
    (r"职业技术(?=学校|教育)", "职业"),
    (r"中等专业技术学校", "中等职业学校"),
    # 中等职校, 高等职校: 中职, 高职
    (r"(中|高)等职校", r"\1职"),
    # a certificate's grade before it (获得中级工（国家职业资格四级）以上, 高级, 中级及以上) and
    # 持有 for 获取: the share of graduates holding a vocational certificate
    (r"(?:获得|取得)?(?:初级|中级|高级)(?:工)?(?:及)?(?:以上)?的?(?=(?:国家)?职业(?:资格|技能))", ""),
    (r"(?<=证书)(?:持有|获得|取得)率", "获取率"),
    # the bulletins' 普通中等职业学校 (教育) is 中等职业学校: vocational schools are not general ones
    (r"普通(?=中等职业|中职)", ""),
    (r"在园学生", "在园幼儿"),
    # 公办园, 普惠园, 民办园 are kindergartens: a share of them written either way (公办幼儿园占比 is
    # 公办园占比)
    (r"(公办|普惠性?|民办)幼儿园(?=占比|比例|比重|覆盖率|覆盖面)", r"\1园"),
    # 在职, 在岗 before whom a school employs: all of them (在职教职工, 在岗专任教师)
    (r"(?:在职|在岗)(?=专任教师|教职工|教师|校长)", ""),
    # 幼师 (not 幼儿师范): a kindergarten teacher
    (r"幼师(?!范|学校|学院|院校|专科学校|高专)", "幼儿园教师"),
    (r"各级?各?类学校(?:和|及|与)?幼儿园", "各级各类学校"),
    # students against teachers said in words: 学生与教师之比 is 生师比, 教师与学生之比 师生比
    (r"(?:在校生|在校学生|学生)(?:人?数)?(?:与|和|同)(?:专任)?教师(?:人?数)?之?比$", "生师比"),
    (r"(?:专任)?教师(?:人?数)?(?:与|和|同)(?:在校生|在校学生|学生)(?:人?数)?之?比$", "师生比"),
    (r"在校学生(?:和|及|与)?(?:在园)?幼儿", "在校生"),
    # a kindergarten's students are its children: its 生师比 (师生比) is the 师幼比
    (r"(幼儿园|学前教育|学前)(?:生师比|师生比)", r"\1师幼比"),
    (r"在校学生", "在校生"),
    # 周岁 is 岁 (3-5周岁幼儿); 在校大学生, 在校研究生 are 大学, 研究生 在校生
    (r"周岁", "岁"),
    # a yearbook's 毕业 (毕业人数) row under a stage, or 小学毕业: its graduates (毕业生), not a
    # degree's 本科毕业, 研究生毕业 or 学历毕业 (a qualification)
    (r"(?<![科生历])毕业(?:人数)?$", "毕业生"),
    (r"满意率", "满意度"),  # the share satisfied, as plans word the satisfaction level
    (r"在校(大学|研究)生", r"\1在校生"),
    # new pupils taken in (招收新生, 一年级新生) are the intake (招生)
    (r"初一(?:年级)?新生", "初中招生"), (r"高一(?:年级)?新生", "高中招生"),
    (r"招收新生|一年级新生", "招生"),
    # 学生人均 is per student (小学学生人均公用经费), not per resident
    (r"学生人均", "生均"),
    (r"特教(?=学校|学生|专任教师|教师|在校生|招生)", "特殊教育"),
    # the groups of a school listed with 社会 (学生、家长和社会): the public at large
    (r"(?:学生|家长|教师|师生)+(?:和|及|与)?社会(?!公众|事业|保障|力量|实践)", "社会公众"),
    # a teacher's qualification said both ways (研究生学历或硕士学位): the postgraduate one
    (r"研究生(?:学历)?(?:或|和|及|、)?(?:硕士|研究生)(?:及以上)?学位", "研究生学历"),
    # the bulletins' 学前教育儿童 are the children in kindergarten (在园幼儿); a yearbook's
    # 研究生培养机构 (单位) count postgraduates; 高等院校 are 高等学校
    (r"学前教育儿童", "在园幼儿"),
    (r"研究生培养(?:机构|单位)", "研究生"),
    (r"高等院校", "高等学校"),
    # the pre-school word for entry is 入园: 学前三年入学率 is 学前三年入园率
    (r"(学前[一二两三]年|学前教育|学前|幼儿)(教育)?(毛|净)?入学率", r"\1\2\3入园率"),
    # per so many residents, however said: 每千常住人口, 每千人拥有 are 每千人口
    (r"每(千|万|十万)常住人口", r"每\1人口"),
    (r"每(千|万)人(?![口次])", r"每\1人口"),
    # who goes on from a stage, said by where they go (初中升高中, 中职毕业生升入高校): its graduates
    # who go on (升学)
    (r"(初中|中职|中等职业学校)(?:毕业生)?升入?(?:高中阶段|高中段|普通高中|高中|高等学校|高校|大学|本科)"
     r"(?:学校|教育)?的?", r"\1毕业生升学"),
    # a share of the people of an attainment (受过高等教育人口比例) is the share who had it
    (r"(?<=教育)的?人口(?=比例|占比|比重)", "的"),
)

# Populations that are a part of another (残疾学生 of 在校生, 随迁子女, 农村): a row of one is no row
# of the whole, and a sub-row naming one is that part of the row above (其中：残疾学生 under 小学在校生).
POPULATION_PARTS = frozenset({"disabled", "migrant", "left-behind", "rural", "urban", "boarding",
                              "main-working-age", "parents"})

# A sub-row that names a place (东部地区, 城关镇, 西宁市 under 学前三年入园率): the row above's measure
# for a part of the place. Places are not what is compared; a part the scheme tells apart (农村,
# 城区) is a population term, read before this.
PLACE = (r"(?:东|西|南|北|中|东北|西北|西南|东南|中西)部(?:地区)?"
         r"|[\u4e00-\u9fff]{2,8}?(?:地区|自治州|州|省|市|县|区|旗|盟|镇|乡|街道)")
