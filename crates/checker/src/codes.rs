//! Every finding code with its Chinese name and one line of advice on how to correct the
//! report (shown beside the code in the terminal, the JSON, the workbook and the back office).

/// A finding code as users see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeInfo {
    pub code: &'static str,
    /// Short Chinese name.
    pub name: &'static str,
    /// One line on how to correct the report.
    pub advice: &'static str,
}

macro_rules! codes {
    ($($code:literal, $name:literal, $advice:literal;)*) => {
        /// All finding codes, in the order of the crate README.
        pub const CODES: &[CodeInfo] = &[$(CodeInfo { code: $code, name: $name, advice: $advice }),*];
    };
}

codes! {
    "SECTION_MISSING", "缺少章节", "按法定格式补齐六个部分，标题依次为一至六。";
    "SECTION_NOT_REACHED", "章节未读到", "文本在此之前中断，请取得完整的报告原文后重新检查。";
    "SECTION_ORDER", "章节顺序错误", "按“总体情况、主动公开、依申请公开、复议诉讼、问题改进、其他事项”的顺序排列。";
    "SECTION_EMPTY", "章节无内容", "在该部分标题下填写内容；确无情况的写明“无”。";
    "SECTION_NUMBERING", "章节序号不符", "把标题序号改为法定格式中的序号。";
    "SECTION_HEADING_VARIANT", "章节标题写法不同", "标题宜与法定格式的写法一致。";
    "TITLE_MISSING", "标题不规范", "标题写明机关全称和年度：“××机关××××年政府信息公开工作年度报告”。";
    "SIGNATURE_MISSING", "缺少落款", "文末写明发布机关和发布日期。";
    "FORMAT_VERSION_MISMATCH", "格式版本不符", "2020年度及以前用2019年试行格式，2021年度起用2021年格式，按年度改用对应表格。";
    "TABLE_MISSING", "缺少统计表", "按法定格式补上该部分的统计表。";
    "TABLE_INCOMPLETE", "统计表不完整", "第四部分应填满15个数，空格填0。";
    "TABLE_AMBIGUOUS", "表格数字无法唯一确定", "原文数字连在一起，有多种拆法都符合表内勾稽关系；请核对原表，发布时单元格之间保留分隔。";
    "ROW_MISSING", "缺少表格行", "按法定格式补上该行及其数字，没有发生的填0。";
    "ROW_WIDTH", "表格行列数不符", "该行应按法定列数逐列填写，空格填0。";
    "BLANK_CELLS", "表格有空格", "统计表中没有发生的情形应填0，不要留空。";
    "VALUE_INVALID", "数值不合法", "件数应为非负整数，金额应为非负数，请核对原始台账后更正。";
    "CELLS_RUN_TOGETHER", "数字连写", "原文单元格数字连在一起，已按表内勾稽关系拆分；发布时单元格之间应保留分隔。";
    "LABEL_MISPRINT", "行标签有误", "行标签照抄法定格式原文。";
    "ARITH_C1", "C1收支不平衡", "核对第三部分：本年新收加上年结转应等于办理结果总计加结转下年度。";
    "ARITH_C2", "C2行合计不符", "核对该行：总计应等于六类申请人之和。";
    "ARITH_C3", "C3办理结果合计不符", "核对第三部分：（七）总计应等于各项办理结果之和。";
    "ARITH_C4", "C4复议诉讼合计不符", "核对第四部分：总计应等于结果维持、结果纠正、其他结果、尚未审结之和。";
    "CARRYOVER_C5", "C5结转数不衔接", "本年“上年结转”应等于上一年度报告的“结转下年度继续办理”，核对两年台账。";
    "S2_CONTINUITY", "现行有效件数不衔接", "核对现行有效件数：上年现行有效加本年制发减本年废止。";
    "SIMILAR_TO_PREVIOUS", "与上年雷同", "正文应写本年度的实际工作，不要照抄上一年度报告。";
    "TABLES_SAME_AS_PREVIOUS", "统计表与上年相同", "核对统计表是否误用了上一年度的数字。";
    "PREVIOUS_NOT_CONSECUTIVE", "上年报告年度不连续", "用作比较的应是上一年度（N−1年）的报告。";
    "NARRATIVE_SUM", "正文分项不符", "核对正文“共N件，其中……”的分项之和与总数。";
    "NARRATIVE_TABLE_MISMATCH", "正文与表格不一致", "正文所述件数应与统计表一致，核对后统一更正。";
    "NARRATIVE_TOTAL_TOO_SMALL", "正文公开总数偏少", "正文所述主动公开信息总数应包括本年制发的规章和规范性文件，不应少于第二部分表中的件数之和；核对后更正。";
    "DATE_LATE", "发布逾期", "年度报告应在次年1月31日前（县级以上部门报本级政府的在次年3月31日前）公布。";
    "DATE_YEAR_MISMATCH", "年度不符", "核对统计期限、发布日期和正文所述年份是否与报告年度一致。";
    "DATE_MISSING_NIAN", "日期缺“年”字", "日期写全“××××年×月×日”。";
    "DATE_FUTURE", "日期晚于今天", "核对发布日期是否写错。";
    "DEBRIS_MARKUP", "网页标记残留", "删除正文中残留的网页标签和转义符。";
    "DEBRIS_REPLACEMENT_CHAR", "乱码字符", "文字在转换中丢失，请从原稿重新复制或重新转换。";
    "DEBRIS_LOST_CHARS", "丢字", "“?”处的文字在编码转换中丢失，请从原稿恢复。";
    "DEBRIS_PINYIN", "拼音注音残留", "删除插在汉字后的拼音注音。";
    "SCRIPT_MIXED", "简繁混杂", "统一使用简体字。";
    "SCRIPT_TRADITIONAL", "繁体字报告", "法定文本为简体，发布时宜使用简体字。";
    "FEE_NOT_REPORTED", "未说明收费情况", "在第六部分说明信息处理费的收费通知件数和实收金额（没有的写明未收取）。";
    "TEXT_TRUNCATED", "文本不完整", "文本在中途中断，请取得完整的报告后重新检查。";
    "INPUT_TRUNCATED", "文本过长", "只检查了前 2 MiB，请确认文件是否为单份年度报告。";
}

/// The name and advice of a code (`None` for a code not in the list).
pub fn code_info(code: &str) -> Option<&'static CodeInfo> {
    CODES.iter().find(|c| c.code == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_and_filled() {
        for (i, c) in CODES.iter().enumerate() {
            assert!(!c.name.is_empty() && !c.advice.is_empty(), "{}", c.code);
            assert!(CODES[i + 1..].iter().all(|o| o.code != c.code), "duplicate {}", c.code);
        }
    }
}
