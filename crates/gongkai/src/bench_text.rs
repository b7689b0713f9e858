//! Generated Chinese text for `gongkai bench seed`: place and agency names, item titles
//! and bodies, application descriptions. Built from word lists and sentence templates
//! written for this generator (nothing is copied from real publications); optionally
//! enriched with words drawn from jieba's dictionary (Zipf over its frequencies) so that
//! the search index sees a realistic long tail of rare terms.

use gongkai_search::corpus::Vocabulary;
use rand::rngs::StdRng;
use rand::Rng;

/// Syllables for generated place names (two of them make a name).
const SYLLABLES: &[&str] = &[
    "安", "平", "宁", "和", "清", "远", "新", "丰", "永", "泰", "长", "乐", "兴", "华", "明", "阳", "东", "西", "南", "北", "云", "山", "河", "江",
    "湖", "海", "林", "石", "金", "玉", "桂", "兰", "松", "柏", "梅", "竹", "溪", "源", "潭", "岭", "峰", "塘", "湾", "洲", "坪", "田", "川", "口",
    "德", "仁", "信", "义", "礼", "智", "文", "武", "昌", "盛", "富", "康", "顺", "福", "寿", "嘉", "禾", "青", "白", "红", "黄", "紫", "凤", "龙",
];

pub const DEPARTMENTS: &[&str] = &[
    "发展和改革局", "教育局", "科学技术局", "工业和信息化局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局",
    "生态环境局", "住房和城乡建设局", "交通运输局", "水务局", "农业农村局", "商务局", "文化广电旅游体育局", "卫生健康委员会", "退役军人事务局",
    "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局", "城市管理和综合执法局", "林业局", "信访局", "政务服务数据管理局",
    "地方金融监督管理局", "乡村振兴局",
];

const THEMES: &[&str] = &[
    "乡村振兴", "安全生产", "生态环境保护", "城乡居民医疗保险", "最低生活保障", "义务教育", "农村人居环境整治", "营商环境", "消防安全", "防汛防旱",
    "森林防火", "食品安全", "就业创业", "社会救助", "养老服务", "城镇老旧小区改造", "高标准农田建设", "河长制", "垃圾分类", "扫黑除恶",
    "耕地保护", "住房公积金", "公共租赁住房", "残疾人两项补贴", "特困人员供养", "退役军人优待", "道路交通安全", "学校安全", "传染病防治",
    "基层医疗卫生", "行政审批制度改革", "政务公开", "双随机一公开", "招商引资", "重大项目建设", "财政预算", "政府采购", "专项债券", "产业园区",
    "文明城市创建", "公共文化服务", "全民健身", "水污染防治", "大气污染防治", "土壤污染防治", "建设用地", "征地补偿", "危房改造", "饮水安全",
];

const MATTERS: &[&str] = &[
    "工作", "专项行动", "实施方案", "管理办法", "考核办法", "补助资金", "项目", "检查", "排查整治", "宣传活动", "培训", "评估", "验收", "申报",
    "审批", "监督检查", "应急预案", "责任清单", "资金分配", "信息统计",
];

const KINDS: &[&str] = &["通知", "公告", "通告", "意见", "实施方案", "工作方案", "通报", "批复", "公示", "报告", "决定", "办法"];

const VERBS: &[&str] = &["印发", "做好", "开展", "加强", "推进", "落实", "规范", "深化", "组织", "调整", "公布", "下达", "进一步做好", "切实加强"];

const PRINCIPLES: &[&str] = &["以人民为中心", "依法行政", "问题导向", "统筹兼顾", "公开透明", "属地管理", "分级负责", "源头治理", "精准施策", "防范为主"];

const TARGETS: &[&str] = &[
    "各项任务按期完成", "群众满意度明显提升", "风险隐患及时消除", "资金安全高效使用", "政策落地见效", "工作取得实效", "服务质量持续改善",
    "不发生重大事故", "信息按时公开", "群众合法权益得到保障",
];

const UNITS: &[&str] = &["镇（街道）", "有关部门", "村（社区）", "各单位", "各学校", "各医疗机构", "各企业", "各项目单位"];

const MEASURES: &[&str] = &[
    "健全工作机制", "压实工作责任", "加强督促检查", "强化宣传引导", "完善台账管理", "做好信息报送", "加强资金监管", "开展入户核查",
    "建立长效机制", "严格考核问责", "加强部门协作", "畅通投诉渠道",
];

const COUNTERS: &[&str] = &["个", "户", "人", "家", "宗", "项", "处", "次", "宗", "公里"];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "林", "罗", "高", "梁", "郑", "谢", "宋",
    "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "潘", "袁", "蔡", "蒋", "余",
];

const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "建华",
    "志强", "海燕", "晓东", "文杰", "嘉怡", "子涵", "浩然", "雨桐", "俊杰",
];

const ASK: &[&str] = &[
    "请求公开{place}{theme}{matter}的相关文件", "申请获取{year}年{place}{theme}资金的分配和使用情况", "请提供{place}{theme}项目的审批文件及验收报告",
    "申请公开本人所在村{theme}的名单及评定依据", "请求公开{year}年度{theme}{matter}的实施情况", "申请公开{place}某地块的{theme}批复文件",
    "请提供{theme}相关的会议纪要和处理结果", "申请公开{year}年{place}{theme}的检查记录",
];

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

/// The text generator; `vocab` adds dictionary words when jieba's dictionary was found.
pub struct TextGen {
    vocab: Option<Vocabulary>,
}

impl TextGen {
    pub fn new(vocab: Option<Vocabulary>) -> TextGen {
        TextGen { vocab }
    }

    pub fn uses_dictionary(&self) -> bool {
        self.vocab.is_some()
    }

    /// A two-syllable place name, e.g. 安平.
    pub fn place(&self, rng: &mut StdRng) -> String {
        let a = pick(rng, SYLLABLES);
        let mut b = pick(rng, SYLLABLES);
        while b == a {
            b = pick(rng, SYLLABLES);
        }
        format!("{a}{b}")
    }

    /// A person's name, e.g. 陈志强.
    pub fn person(&self, rng: &mut StdRng) -> String {
        format!("{}{}", pick(rng, SURNAMES), pick(rng, GIVEN))
    }

    fn words(&self, rng: &mut StdRng, n: usize) -> String {
        match &self.vocab {
            Some(v) => (0..n).map(|_| v.sample(rng).to_owned()).collect::<Vec<_>>().join("、"),
            None => (0..n).map(|_| pick(rng, THEMES).to_owned()).collect::<Vec<_>>().join("、"),
        }
    }

    /// An item title, its theme (for keywords) and whether it carries a 文号.
    pub fn title(&self, rng: &mut StdRng, org_short: &str, place: &str, year: i32) -> (String, &'static str) {
        let theme = pick(rng, THEMES);
        let matter = pick(rng, MATTERS);
        let title = match rng.gen_range(0..7) {
            0 => format!("{org_short}关于{}{theme}{matter}的{}", pick(rng, VERBS), pick(rng, KINDS)),
            1 => format!("{org_short}{year}年{theme}工作{}", pick(rng, &["总结", "计划", "要点", "情况报告"])),
            2 => format!("{place}{theme}{matter}{}", pick(rng, &["公示", "公告", "结果公示", "情况通报"])),
            3 => format!("关于{place}{theme}{matter}的{}", pick(rng, &["批复", "意见", "实施方案", "管理办法"])),
            4 => format!("《{org_short}{theme}{matter}》政策解读"),
            5 => format!("{org_short}召开{year}年{theme}工作会议"),
            _ => format!("关于{}{year}年度{theme}{matter}的{}", pick(rng, VERBS), pick(rng, KINDS)),
        };
        (title, theme)
    }

    /// An item body as HTML paragraphs, about `theme`.
    pub fn body(&self, rng: &mut StdRng, org_name: &str, place: &str, theme: &str, year: i32) -> String {
        let mut paras = Vec::new();
        paras.push(format!(
            "为{}{theme}工作，根据有关法律法规和上级部署，结合{place}实际，现就{theme}{}有关事项{}如下。",
            pick(rng, VERBS),
            pick(rng, MATTERS),
            pick(rng, &["通知", "公告", "明确"])
        ));
        let n = rng.gen_range(2..5);
        for _ in 0..n {
            let mut p = format!(
                "{theme}工作要坚持{}，{}，{}。各{}要{}，确保{}。",
                pick(rng, PRINCIPLES),
                pick(rng, MEASURES),
                pick(rng, MEASURES),
                pick(rng, UNITS),
                pick(rng, MEASURES),
                pick(rng, TARGETS)
            );
            p.push_str(&format!(
                "{year}年{}月，{place}共{}{}{}{}，同比{}{}.{}%。",
                rng.gen_range(1..13),
                pick(rng, &["排查", "完成", "发放", "受理", "办结", "走访"]),
                pick(rng, &["各类事项", "补助对象", "隐患点", "项目", "申请"]),
                rng.gen_range(3..5000),
                pick(rng, COUNTERS),
                pick(rng, &["增长", "下降"]),
                rng.gen_range(1..40),
                rng.gen_range(0..10)
            ));
            let extra = rng.gen_range(3..7);
            p.push_str(&format!("重点推进{}等工作。", self.words(rng, extra)));
            paras.push(p);
        }
        paras.push(format!(
            "联系单位：{org_name}，联系人：{}，联系电话：0{}-{:08}。",
            self.person(rng),
            rng.gen_range(660..770),
            rng.gen_range(0..100_000_000u32)
        ));
        paras.iter().map(|p| format!("<p>{p}</p>")).collect::<Vec<_>>().join("\n")
    }

    /// Keywords of an item about `theme`.
    pub fn keywords(&self, rng: &mut StdRng, theme: &str) -> String {
        format!("{theme} {}", pick(rng, MATTERS))
    }

    /// What an applicant asks for.
    pub fn request(&self, rng: &mut StdRng, place: &str, year: i32) -> String {
        pick(rng, ASK)
            .replace("{place}", place)
            .replace("{theme}", pick(rng, THEMES))
            .replace("{matter}", pick(rng, MATTERS))
            .replace("{year}", &year.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn text_is_deterministic_and_chinese() {
        let g = TextGen::new(None);
        let mut a = StdRng::seed_from_u64(7);
        let mut b = StdRng::seed_from_u64(7);
        let (t1, theme) = g.title(&mut a, "安平市民政局", "清溪", 2024);
        let (t2, _) = g.title(&mut b, "安平市民政局", "清溪", 2024);
        assert_eq!(t1, t2);
        let body = g.body(&mut a, "安平市民政局", "清溪", theme, 2024);
        assert!(body.starts_with("<p>") && body.contains(theme));
        assert!(body.chars().filter(|c| ('\u{4E00}'..='\u{9FFF}').contains(c)).count() > 100);
    }
}
