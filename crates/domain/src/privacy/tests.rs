use super::*;

fn kinds(text: &str) -> Vec<(FindingKind, String)> {
    scan(text).into_iter().map(|f| (f.kind, f.value)).collect()
}

#[test]
fn id_number_needs_its_check_character() {
    // 11010519491231002X is the GB 11643 example.
    assert_eq!(kinds("申请人身份证号11010519491231002X。"), [(FindingKind::IdCard, "11010519491231002X".to_string())]);
    assert!(kinds("编号110105194912310021。").iter().all(|(k, _)| *k != FindingKind::IdCard));
    // Inside a longer code it is not an ID number.
    assert!(kinds("索引号A11010519491231002X/2024-00012").is_empty());
}

#[test]
fn phones_in_their_usual_spellings() {
    for s in ["电话13812345678。", "手机：138-1234-5678", "手机 138 1234 5678，", "+8613812345678"] {
        assert_eq!(kinds(s).iter().filter(|(k, _)| *k == FindingKind::Mobile).count(), 1, "{s}");
    }
    for s in ["联系电话：0571-88886666", "(0571)88886666", "057188886666", "电话：88886666"] {
        assert_eq!(kinds(s).iter().filter(|(k, _)| *k == FindingKind::Landline).count(), 1, "{s}");
    }
    // Hotlines, amounts, years and 12-prefixed numbers are not phones.
    for s in ["拨打12345热线", "资金12345678元", "12812345678", "2024年共办理1234件", "共87654321元"] {
        assert!(kinds(s).is_empty(), "{s}: {:?}", kinds(s));
    }
}

#[test]
fn bank_cards_need_luhn() {
    assert_eq!(kinds("账号6222021234567890128，")[0].0, FindingKind::BankCard);
    assert_eq!(kinds("卡号 6222 0212 3456 7890 128 ")[0].0, FindingKind::BankCard);
    assert!(kinds("账号6222021234567890127，").is_empty());
}

#[test]
fn documents_and_addresses() {
    assert_eq!(kinds("护照号E12345678")[0].0, FindingKind::Passport);
    assert_eq!(kinds("港澳通行证C12345678")[0].0, FindingKind::HkMacauPermit);
    assert!(kinds("乘G1234次列车").is_empty());
    let a = kinds("住址：青城县城关镇人民路12号3幢2单元501室，");
    assert_eq!(a.len(), 1);
    assert_eq!(a[0], (FindingKind::Address, "青城县城关镇人民路12号3幢2单元501室".to_string()));
    assert_eq!(kinds("家住东山村5组18号")[0].0, FindingKind::Address);
    // An office address is not personal data.
    assert!(kinds("办公地址：青城县人民路1号。").is_empty());
}

#[test]
fn names_next_to_other_findings_or_labels() {
    let k = kinds("申请人张晓明，电话13812345678。");
    assert_eq!(k[0], (FindingKind::Name, "张晓明".to_string()));
    let k = kinds("李红 13812345678");
    assert_eq!(k[0], (FindingKind::Name, "李红".to_string()));
    assert!(kinds("王家坪镇召开会议").is_empty());
    assert_eq!(kinds("救助对象赵建国，身份证号11010519491231002X")[0], (FindingKind::Name, "赵建国".to_string()));
}

#[test]
fn masking_keeps_the_shape() {
    assert_eq!(mask_text("身份证号11010519491231002X"), "身份证号1101**********002X");
    assert_eq!(mask_text("手机138-1234-5678"), "手机138-****-5678");
    assert_eq!(mask_text("姓名：张晓明"), "姓名：张**");
    let text = "张晓明，身份证号11010519491231002X，电话13812345678";
    assert_eq!(mask_text(text).chars().count(), text.chars().count());
    let name = &scan(text)[0];
    assert_eq!(name.excerpt(text, 40), "【张**】，身份证号1101**********002X，电话138****5678");
    let f = &scan("申请人住址：青城县人民路12号3幢501室，电话")[0];
    assert!(f.excerpt("申请人住址：青城县人民路12号3幢501室，电话", 3).contains("【青城县"));
}

#[test]
fn fullwidth_digits_are_found() {
    assert_eq!(kinds("电话１３８１２３４５６７８")[0].0, FindingKind::Mobile);
}

// ---- Precision and recall on a generated test set ----

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'0' + self.below(10) as u8)).collect()
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len() as u64) as usize]
    }
}

fn id_number(rng: &mut Rng, valid: bool) -> String {
    let province = PROVINCES[rng.below(31) as usize];
    let body = format!(
        "{province}{}{}{:02}{:02}{}",
        rng.digits(4),
        1940 + rng.below(70),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.digits(3)
    );
    let right = id_card_check_char(&body).unwrap_or('0');
    let check = if valid {
        right
    } else {
        let all = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', 'X'];
        let mut c = all[rng.below(11) as usize];
        while c == right {
            c = all[rng.below(11) as usize];
        }
        c
    };
    format!("{body}{check}")
}

fn luhn_digit(body: &str) -> char {
    (0..10u8).map(|d| char::from(b'0' + d)).find(|d| luhn(&format!("{body}{d}"))).unwrap_or('0')
}

fn card(rng: &mut Rng, valid: bool) -> String {
    let len = [16, 19][rng.below(2) as usize];
    let body = format!("62{}", rng.digits(len - 3));
    let right = luhn_digit(&body);
    let check = if valid { right } else { char::from(b'0' + ((right as u8 - b'0' + 1 + rng.below(9) as u8) % 10)) };
    let n = format!("{body}{check}");
    if rng.below(2) == 0 {
        n.as_bytes().chunks(4).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
    } else {
        n
    }
}

const FILLER: [&str; 8] = [
    "根据《中华人民共和国政府信息公开条例》第二十七条的规定，",
    "经审查，现将有关情况公告如下：",
    "本机关于2024年3月15日收到申请，",
    "青城县城关镇人民政府办公室发布，",
    "2023年共办理政府信息公开申请1234件，",
    "特此公告。",
    "拨打12345政务服务便民热线咨询，",
    "办公地址：青城县人民路1号，",
];

/// One sample: text and the expected findings (kind, value).
fn sample(rng: &mut Rng) -> (String, Vec<(FindingKind, String)>) {
    let mut text = String::from(rng.pick(&FILLER));
    let mut expected = Vec::new();
    let positive = |text: &mut String, expected: &mut Vec<(FindingKind, String)>, lead: &str, kind: FindingKind, value: String| {
        text.push_str(lead);
        text.push_str(&value);
        text.push('，');
        expected.push((kind, value));
    };
    match rng.below(20) {
        16 => {
            // A name without a label, right before an ID number.
            let name = format!("{}{}", rng.pick(&["赵", "孙", "周", "吴"]), rng.pick(&["建国", "丽", "志强", "海燕"]));
            let id = id_number(rng, true);
            text.push_str(&format!("经核查，{name}（身份证号{id}）"));
            expected.push((FindingKind::Name, name));
            expected.push((FindingKind::IdCard, id));
        }
        17 => text.push_str(&format!("{}召开会议，邮编{}，", rng.pick(&["李家村", "王府井", "陈列馆", "张家港市"]), rng.digits(6))),
        18 => text.push_str(&format!("地址：{}路{}号{}楼会议室，", rng.pick(&["人民", "府前"]), 1 + rng.below(99), rng.pick(&["三", "五"]))),
        19 => text.push_str(&format!("第{}期，共{}页，{}-{}年度，", rng.digits(3), rng.digits(2), 2020 + rng.below(5), 2021 + rng.below(5))),
        0 | 1 => {
            let v = id_number(rng, true);
            positive(&mut text, &mut expected, rng.pick(&["身份证号", "公民身份号码：", "证件号码 "]), FindingKind::IdCard, v)
        }
        2 => {
            // Invalid check character: not an ID number (may still be a Luhn-valid digit run).
            text.push_str(&format!("编号{}，", id_number(rng, false)));
        }
        3 => {
            let v = format!("1{}{}", [3, 5, 7, 8, 9][rng.below(5) as usize], rng.digits(9));
            let v = match rng.below(3) {
                0 => v,
                1 => format!("{}-{}-{}", &v[..3], &v[3..7], &v[7..]),
                _ => format!("{} {} {}", &v[..3], &v[3..7], &v[7..]),
            };
            positive(&mut text, &mut expected, rng.pick(&["联系电话", "手机：", "电话 "]), FindingKind::Mobile, v)
        }
        4 => {
            let v = match rng.below(3) {
                0 => format!("0{}-{}", rng.digits(3).replace('0', "5"), format!("8{}", rng.digits(7))),
                1 => format!("(0{}){}", rng.digits(2).replace('0', "7"), format!("6{}", rng.digits(7))),
                _ => format!("0{}{}", rng.digits(3).replace('0', "5"), format!("8{}", rng.digits(7))),
            };
            positive(&mut text, &mut expected, rng.pick(&["联系电话：", "电话", "固定电话 "]), FindingKind::Landline, v)
        }
        5 => {
            let v = card(rng, true);
            positive(&mut text, &mut expected, rng.pick(&["银行账号：", "卡号 ", "收款账户"]), FindingKind::BankCard, v)
        }
        6 => {
            // A wrong Luhn digit: a reference number, not a card.
            text.push_str(&format!("流水号{}，", card(rng, false).replace(' ', "")));
        }
        7 => {
            let v = format!("E{}", rng.digits(8));
            positive(&mut text, &mut expected, "护照号码", FindingKind::Passport, v)
        }
        8 => {
            let v = format!("C{}", rng.digits(8));
            positive(&mut text, &mut expected, "往来港澳通行证", FindingKind::HkMacauPermit, v)
        }
        9 => {
            let v = format!(
                "青城县{}{}路{}号{}幢{}单元{}室",
                rng.pick(&["城关镇", "东山乡", "河口镇"]),
                rng.pick(&["人民", "建设", "解放", "新华"]),
                1 + rng.below(200),
                1 + rng.below(20),
                1 + rng.below(4),
                101 + rng.below(1500)
            );
            positive(&mut text, &mut expected, "住址：", FindingKind::Address, v)
        }
        10 => {
            let v = format!("{}村{}组{}号", rng.pick(&["东山", "西河", "柳树"]), 1 + rng.below(9), 1 + rng.below(60));
            positive(&mut text, &mut expected, "家住", FindingKind::Address, v)
        }
        11 => {
            let name = format!("{}{}", rng.pick(&["张", "王", "李", "刘", "陈"]), rng.pick(&["晓明", "红", "建国", "丽华", "伟"]));
            let phone = format!("139{}", rng.digits(8));
            text.push_str("申请人");
            text.push_str(&name);
            text.push_str("，联系电话");
            text.push_str(&phone);
            text.push('。');
            expected.push((FindingKind::Name, name));
            expected.push((FindingKind::Mobile, phone));
        }
        12 => text.push_str(&format!("索引号：11330{}MB{}/2024-{}，", rng.digits(3), rng.digits(6), rng.digits(5))),
        13 => text.push_str(&format!("青政发〔2024〕{}号，资金{}.{}元，", 1 + rng.below(99), rng.digits(8), rng.digits(2))),
        14 => text.push_str(&format!("乘G{}次列车，统计数{}，", rng.digits(4), rng.digits(10))),
        _ => text.push_str(&format!("共{}人次，{}年{}月。", rng.digits(5), 2000 + rng.below(25), 1 + rng.below(12))),
    }
    text.push_str(rng.pick(&FILLER));
    (text, expected)
}

#[test]
fn precision_and_recall_on_generated_texts() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut per_kind: std::collections::BTreeMap<FindingKind, (u32, u32, u32)> = Default::default();
    for _ in 0..20_000 {
        let (text, expected) = sample(&mut rng);
        let found: Vec<(FindingKind, String)> = scan(&text).into_iter().map(|f| (f.kind, f.value)).collect();
        for e in &expected {
            let entry = per_kind.entry(e.0).or_default();
            if found.contains(e) {
                entry.0 += 1; // true positive
            } else {
                entry.2 += 1; // false negative
            }
        }
        for f in &found {
            if !expected.contains(f) {
                per_kind.entry(f.0).or_default().1 += 1; // false positive
            }
        }
    }
    let (mut tp, mut fp, mut fneg) = (0, 0, 0);
    for (kind, (t, p, n)) in &per_kind {
        println!(
            "{:<16} tp={t:<5} fp={p:<4} fn={n:<4} precision={:.4} recall={:.4}",
            kind.as_str(),
            f64::from(*t) / f64::from((t + p).max(1)),
            f64::from(*t) / f64::from((t + n).max(1))
        );
        tp += t;
        fp += p;
        fneg += n;
    }
    let precision = f64::from(tp) / f64::from(tp + fp);
    let recall = f64::from(tp) / f64::from(tp + fneg);
    println!("overall          tp={tp} fp={fp} fn={fneg} precision={precision:.4} recall={recall:.4}");
    assert!(precision >= 0.97, "precision {precision}");
    assert!(recall >= 0.97, "recall {recall}");
}
