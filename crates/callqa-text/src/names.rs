//! Customer names: after the cue that introduces them (我叫, 我姓, X先生, "my name is", Mr),
//! spelled letter by letter, or as the answer to the agent's identity question. The agent's own
//! self-introduction is kept.

use crate::gazetteer::{en_name, zh_given_char, zh_surname_at};
use crate::{Context, PiiKind, Raw, is_han};
use regex::Regex;
use std::sync::OnceLock;

/// Cues after which the speaker says their own full name (skipped when the agent speaks).
const ZH_SELF: &[&str] = &[
    "我的名字是",
    "我的名字叫",
    "我名字叫",
    "名字叫",
    "名字是",
    "我叫",
    "本人叫",
    "本人是",
];

/// Cues after which a customer's full name follows, whoever says them (户主赵建国).
const ZH_HOLDER: &[&str] = &[
    "户主",
    "机主",
    "持卡人",
    "收货人",
    "联系人",
    "账户名",
    "开户人",
    "收款人",
    "收件人",
    "付款人",
    "投保人",
    "被保人",
    "被保险人",
    "您是",
    "户名",
    "开户名",
    "全名",
    "名叫",
];

/// Family members and pronouns after which "叫" gives that person's name (我父亲叫林国栋).
const ZH_KIN: &[&str] = &[
    "父亲", "母亲", "爸爸", "妈妈", "老婆", "老公", "丈夫", "妻子", "爱人", "儿子", "女儿", "哥哥",
    "姐姐", "弟弟", "妹妹", "爷爷", "奶奶", "孩子", "朋友", "同事", "老伴", "岳母", "岳父", "公公",
    "婆婆", "表哥", "表姐", "表弟", "表妹", "堂哥", "堂姐", "舅舅", "姑姑", "外婆", "外公", "我哥",
    "我姐", "我弟", "我妹", "我爸", "我妈", "他", "她",
];

/// Words right after a full name that say whose something is (罗小雨名下的订单, 张伟本人).
const ZH_OWNER_SUFFIXES: &[&str] = &["名下", "本人"];

/// Cues after which the speaker gives a surname.
const ZH_SURNAME_CUES: &[&str] = &["免贵姓", "我姓", "贵姓", "姓"];

/// Titles after a surname (李先生, 张女士).
const ZH_TITLES: &[&str] = &[
    "老先生",
    "先生",
    "女士",
    "小姐",
    "太太",
    "夫人",
    "老师",
    "师傅",
    "阿姨",
    "经理",
];

/// Characters that end or do not belong to a name: function words, verbs and particles that
/// follow a name in speech.
const ZH_NOT_GIVEN: &str = "的了吗呢啊吧呀哈嘛么是在有和跟与给对就也都还又再很太不没要想来去说问请您你我他她它们这那个位好谢嗯哦喂呃哎唉啦吧讲打办查找帮把被从到向为及先女姐士生太夫人老号电话手机卡身份证地址住今昨天年月日点分哪谁本各每某两几";

/// Characters after which a full name may begin (before them a window is not a name).
const ZH_BOUNDARY: &str = "是叫找给和跟的您好请问呢吗啊，。、？！ ";

/// The agent's questions that a short customer answer gives a name to.
const NAME_QUESTIONS: &[&str] = &[
    "怎么称呼",
    "如何称呼",
    "贵姓",
    "姓名",
    "叫什么",
    "名字",
    "称呼您",
    "哪位",
    "机主",
    "持卡人",
    "your name",
    "who am i speaking",
    "who i'm speaking",
    "who i am speaking",
    "full name",
    "spell",
    "name on the account",
    "name on the card",
    "name on the booking",
    "name on the order",
    "name on the policy",
    "holder's name",
    "name of the",
    "whose name",
    "which name",
    "name, please",
    "name please",
    "first name",
    "last name",
    "surname",
];

/// How sure a cue makes the word after it a name.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Cue {
    /// "my name is": a capitalised word (or a gazetteer name) is a name.
    Strong,
    /// A relative or a "put it under": a gazetteer name, or a capitalised word in a text that is
    /// written in mixed case (so that capitals mean something).
    Person,
    /// "this is", "I'm", "it's": a gazetteer name, or two capitalised words (a full name) in a
    /// mixed-case text.
    Weak,
}

/// Words that start an English name: (cue, how sure, said of oneself: skipped for the agent).
const EN_CUES: &[(&str, Cue, bool)] = &[
    ("my name is", Cue::Strong, true),
    ("my name's", Cue::Strong, true),
    ("name is", Cue::Strong, true),
    ("name's", Cue::Strong, true),
    ("call me", Cue::Strong, true),
    ("calls me", Cue::Strong, true),
    ("this is", Cue::Weak, true),
    ("i'm", Cue::Weak, true),
    ("i am", Cue::Weak, true),
    ("it's", Cue::Weak, true),
    ("speaking with", Cue::Weak, true),
    // The agent asking for the customer by name.
    ("am i speaking with", Cue::Person, false),
    ("am i speaking to", Cue::Person, false),
    ("is this", Cue::Weak, false),
    ("under the name", Cue::Strong, false),
    ("account holder is", Cue::Strong, false),
    ("payee is", Cue::Strong, false),
    ("beneficiary is", Cue::Strong, false),
    ("doctor", Cue::Strong, false),
    // The agent's "ask for Priyanka" names a colleague.
    ("ask for", Cue::Person, true),
    ("that's me,", Cue::Person, false),
    ("on the card is", Cue::Strong, false),
    ("on the account is", Cue::Strong, false),
    ("first name", Cue::Strong, false),
    ("last name", Cue::Strong, false),
    ("given name", Cue::Strong, false),
    ("family name", Cue::Strong, false),
    // "my husband's name, Kevin Marsh": the name after a comma.
    ("name", Cue::Person, false),
    ("under", Cue::Person, false),
    ("put down", Cue::Person, false),
    ("send it to", Cue::Person, false),
    ("made out to", Cue::Person, false),
    ("addressed to", Cue::Person, false),
    // A relative the caller names ("my mother, Gloria Reyes", "her husband Arvind"): the
    // caller's family is the customer's personal data too.
    ("husband", Cue::Person, false),
    ("wife", Cue::Person, false),
    ("partner", Cue::Person, false),
    ("fiance", Cue::Person, false),
    ("fiancee", Cue::Person, false),
    ("mother", Cue::Person, false),
    ("mom", Cue::Person, false),
    ("mum", Cue::Person, false),
    ("father", Cue::Person, false),
    ("dad", Cue::Person, false),
    ("son", Cue::Person, false),
    ("daughter", Cue::Person, false),
    ("brother", Cue::Person, false),
    ("sister", Cue::Person, false),
    ("grandmother", Cue::Person, false),
    ("grandfather", Cue::Person, false),
    ("grandson", Cue::Person, false),
    ("granddaughter", Cue::Person, false),
    ("aunt", Cue::Person, false),
    ("uncle", Cue::Person, false),
    ("nephew", Cue::Person, false),
    ("niece", Cue::Person, false),
    ("cousin", Cue::Person, false),
    ("landlord", Cue::Person, false),
    ("brother-in-law", Cue::Person, false),
    ("sister-in-law", Cue::Person, false),
    ("mother-in-law", Cue::Person, false),
    ("father-in-law", Cue::Person, false),
    ("son-in-law", Cue::Person, false),
    ("daughter-in-law", Cue::Person, false),
    ("roommate", Cue::Person, false),
    ("mr", Cue::Strong, false),
    ("mrs", Cue::Strong, false),
    ("ms", Cue::Strong, false),
    ("miss", Cue::Strong, false),
    ("mister", Cue::Strong, false),
    ("dr", Cue::Strong, false),
];

/// Capitalised words that are not names.
const EN_NOT_NAME: &[&str] = &[
    "i",
    "i'm",
    "im",
    "the",
    "a",
    "an",
    "and",
    "or",
    "yes",
    "no",
    "yeah",
    "sure",
    "okay",
    "ok",
    "hi",
    "hello",
    "hey",
    "thanks",
    "thank",
    "please",
    "calling",
    "speaking",
    "here",
    "from",
    "with",
    "about",
    "my",
    "your",
    "it",
    "it's",
    "this",
    "that",
    "is",
    "was",
    "just",
    "well",
    "so",
    "um",
    "uh",
    "oh",
    "good",
    "morning",
    "afternoon",
    "evening",
    "sir",
    "madam",
    "ma'am",
    "customer",
    "service",
    "support",
    "team",
    "bank",
    "company",
    "today",
    "again",
    "right",
    "of",
    "on",
    "in",
    "at",
    "to",
    "for",
    "be",
    "am",
    "are",
    "not",
    "sorry",
    "fine",
    "great",
    "calling",
    "regarding",
    "because",
    "but",
    "can",
    "could",
    "would",
    "will",
    "have",
    "had",
    "has",
    "what",
    "how",
    "who",
    "why",
    "when",
    "where",
    "there",
    "they",
    "we",
    "he",
    "she",
    "you",
    "me",
    "him",
    "her",
    "our",
    "their",
    "very",
    "really",
    "actually",
    "also",
    "still",
    "already",
    "now",
    "then",
    "like",
    "happy",
    "glad",
    "trying",
    "looking",
    "wondering",
    "going",
    "getting",
    "having",
    "doing",
    "back",
    "called",
    "one",
    "all",
    "only",
    "new",
    "last",
    "first",
    "account",
    "card",
    "number",
    "order",
    "name",
    "surname",
    "spelled",
    "spell",
    "do",
    "does",
    "did",
    "if",
    "as",
    "by",
    "up",
    "out",
    "over",
    "down",
    "off",
    "after",
    "before",
];

fn en_not_name(w: &str) -> bool {
    let l = w.to_lowercase();
    EN_NOT_NAME.contains(&l.as_str())
}

fn capitalised(w: &str) -> bool {
    w.chars().next().is_some_and(char::is_uppercase)
}

/// Find customer names in `text`.
pub(crate) fn find(text: &str, ctx: &Context<'_>, out: &mut Vec<Raw>) {
    zh_self(text, ctx, out);
    zh_surname(text, ctx, out);
    zh_titles(text, out);
    zh_called(text, ctx, out);
    zh_owner(text, out);
    en_cues(text, ctx, out);
    en_before(text, ctx, out);
    spelled(text, out);
    if !ctx.agent
        && let Some(q) = ctx.question
    {
        let q = q.to_lowercase();
        if NAME_QUESTIONS.iter().any(|c| q.contains(c)) {
            answer(text, out);
        }
    }
}

fn not_given(c: char) -> bool {
    !is_han(c) || ZH_NOT_GIVEN.contains(c)
}

/// A Chinese name starting at `at` (surname + up to two given-name characters): its end.
/// `need_given`: a surname alone is not enough.
fn zh_name_at(text: &str, at: usize, need_given: bool) -> Option<usize> {
    let rest = &text[at..];
    let sur = zh_surname_at(rest)?;
    let mut end = at + sur;
    let mut given = 0;
    for c in text[end..].chars() {
        if given == 2 || not_given(c) {
            break;
        }
        end += c.len_utf8();
        given += 1;
    }
    (!need_given || given > 0).then_some(end)
}

/// True when a name may end at byte `end`: the text ends, or what follows is no Han character
/// or a particle (许静的, 许静啊), so that 叫车去 or 我姓车的 are not read as names.
fn name_ends_at(text: &str, end: usize) -> bool {
    text[end..]
        .chars()
        .next()
        .is_none_or(|c| !is_han(c) || "的啊呀吧呢哈".contains(c))
}

/// After a strong cue (我叫, 户主, a family member), a name whose surname the gazetteer lacks
/// (仉, 郗, 蒯): two or three Han characters, none a function word, ending the clause or followed
/// by a particle. Its end.
fn zh_name_loose(text: &str, at: usize) -> Option<usize> {
    let mut end = at;
    let mut n = 0;
    for c in text[at..].chars() {
        if n == 3 || not_given(c) {
            break;
        }
        end += c.len_utf8();
        n += 1;
    }
    // The name ends the clause or a function word or verb follows (…昝国栋买的: 买 is no
    // given-name character).
    let next = text[end..].chars().next();
    let ends_clause = next.is_none_or(|c| !is_han(c) || not_given(c) || "买卖用下".contains(c));
    // A given name with a gazetteer character in it (郗建国, 郗晓蔓; not 上网课).
    let given_ok = text[at..end].chars().skip(1).any(zh_given_char);
    ((2..=3).contains(&n) && ends_clause && given_ok).then_some(end)
}

/// A full name after a strong cue: from the gazetteer, else [`zh_name_loose`].
fn zh_name_after_cue(text: &str, at: usize) -> Option<usize> {
    zh_name_at(text, at, true)
        .filter(|&end| {
            text[end..]
                .chars()
                .next()
                .is_none_or(|c| !is_han(c) || not_given(c))
        })
        .or_else(|| zh_name_loose(text, at))
}

/// Skip fillers (嗯, 那个, spaces) from byte `at`.
fn skip_fillers(text: &str, mut at: usize) -> usize {
    loop {
        let rest = &text[at..];
        let skip = ["那个", "就是", "嗯", "呃", "啊", "哦", "是", " ", "，", ","]
            .iter()
            .find(|f| rest.starts_with(*f));
        match skip {
            Some(f) => at += f.len(),
            None => return at,
        }
    }
}

fn zh_self(text: &str, ctx: &Context<'_>, out: &mut Vec<Raw>) {
    zh_holder(text, out);
    zh_kin(text, out);
    if ctx.agent {
        return;
    }
    for cue in ZH_SELF {
        for (i, _) in text.match_indices(cue) {
            let at = skip_fillers(text, i + cue.len());
            if let Some(end) = zh_name_after_cue(text, at) {
                out.push(Raw {
                    kind: PiiKind::Name,
                    start: at,
                    end,
                });
            } else if let Some(sur) = zh_surname_at(&text[at..]) {
                // "我叫张 弓长张 张一鸣": the surname alone, then how it is written, then the name.
                let end = at + sur;
                if text[end..].chars().next().is_none_or(|c| !is_han(c)) {
                    out.push(Raw {
                        kind: PiiKind::Name,
                        start: at,
                        end,
                    });
                    describe(text, &text[at..end], end, out);
                }
            }
        }
    }
    zh_wo_shi(text, out);
}

/// A family member named right after the word for them (户主是我父亲郗建国, 我妹妹鞠欣然): a
/// gazetteer name, or three characters ending the clause.
fn zh_kin(text: &str, out: &mut Vec<Raw>) {
    for kin in ZH_KIN.iter().filter(|k| k.chars().count() > 1) {
        for (i, _) in text.match_indices(kin) {
            // "我是他弟弟 公孙毅": a pause between the relative and the name.
            let at = i + kin.len();
            let at = at + text[at..].len() - text[at..].trim_start_matches(' ').len();
            let strict = zh_name_at(text, at, true).filter(|&end| name_ends_at(text, end));
            let loose = zh_name_loose(text, at).filter(|&end| text[at..end].chars().count() == 3);
            if let Some(end) = strict.or(loose) {
                out.push(Raw {
                    kind: PiiKind::Name,
                    start: at,
                    end,
                });
            }
        }
    }
}

fn zh_holder(text: &str, out: &mut Vec<Raw>) {
    for cue in ZH_HOLDER {
        for (i, _) in text.match_indices(cue) {
            let at = skip_fillers(text, i + cue.len());
            let rest = &text[at..];
            if ["姓名", "本人", "身份", "名字", "是谁"]
                .iter()
                .any(|w| rest.starts_with(w))
            {
                continue;
            }
            if let Some(end) = zh_name_after_cue(text, at) {
                out.push(Raw {
                    kind: PiiKind::Name,
                    start: at,
                    end,
                });
            }
        }
    }
}

/// "我是王小明": only a whole short name right after 我是, its given-name characters all from
/// the gazetteer (我是来咨询的 is not a name); "我是周 周淑仪": the surname, then the name.
fn zh_wo_shi(text: &str, out: &mut Vec<Raw>) {
    for (i, _) in text.match_indices("我是") {
        let at = i + "我是".len();
        let Some(sur) = zh_surname_at(&text[at..]) else {
            continue;
        };
        let given: Vec<char> = text[at + sur..]
            .chars()
            .take_while(|&c| is_han(c))
            .collect();
        let n = given
            .iter()
            .take_while(|&&c| zh_given_char(c))
            .count()
            .min(2);
        let next = given.get(n).copied();
        if n == 0 && given.is_empty() {
            // "我是周 周淑仪", "我是植 植物的植 植海燕": the surname alone, then the rest.
            let end = at + sur;
            out.push(Raw {
                kind: PiiKind::Name,
                start: at,
                end,
            });
            describe(text, &text[at..end], end, out);
            continue;
        }
        if n > 0 && next.is_none_or(|c| "的啊呀吧呢哈先女小".contains(c)) {
            let end = at + sur + given[..n].iter().map(|c| c.len_utf8()).sum::<usize>();
            out.push(Raw {
                kind: PiiKind::Name,
                start: at,
                end,
            });
        }
    }
}

/// "叫" + a full name where it names someone: at the start of a clause (户主是我父亲，叫林国栋)
/// or after a family member or pronoun (我老婆叫许静). The name must end the clause or be
/// followed by a particle, so that 叫车 and 叫外卖 inside a sentence are not names.
fn zh_called(text: &str, ctx: &Context<'_>, out: &mut Vec<Raw>) {
    for (i, _) in text.match_indices('叫') {
        let head = &text[..i];
        let clause_start = head
            .chars()
            .next_back()
            .is_none_or(|c| "，,。、：:；; ".contains(c));
        // The agent's "…，叫我小王就行" is about the agent: clause starts count for customers only.
        // Elsewhere (原来叫何军, 改名叫何俊熙) only a gazetteer name counts.
        let kin = ZH_KIN.iter().any(|k| head.ends_with(k));
        // 我叫 is the speaker's own name: the self-introduction rules judge it.
        if head.ends_with('我') {
            continue;
        }
        let strong = kin || (clause_start && !ctx.agent);
        let mut at = i + '叫'.len_utf8();
        if text[at..].starts_with('做') {
            at += '做'.len_utf8();
        }
        let at = skip_fillers(text, at);
        let end = if strong {
            zh_name_after_cue(text, at)
        } else {
            zh_name_at(text, at, true).filter(|&end| name_ends_at(text, end))
        };
        if let Some(end) = end {
            out.push(Raw {
                kind: PiiKind::Name,
                start: at,
                end,
            });
        }
    }
    // "写我爸爸的名字吧 竺文博": a name given after the word for it and a pause.
    for (i, _) in text.match_indices("名字") {
        let mut at = i + "名字".len();
        let rest = &text[at..];
        let Some(pause) = rest
            .char_indices()
            .take_while(|&(_, c)| "吧啊是叫：:，, ".contains(c))
            .last()
            .map(|(k, c)| k + c.len_utf8())
        else {
            continue;
        };
        at += pause;
        if let Some(end) = zh_name_after_cue(text, at) {
            out.push(Raw {
                kind: PiiKind::Name,
                start: at,
                end,
            });
        }
    }
}

/// A full name right before 名下 or 本人: the longest surname + given-name characters (all
/// from the gazetteer) that ends there.
fn zh_owner(text: &str, out: &mut Vec<Raw>) {
    for suffix in ZH_OWNER_SUFFIXES {
        for (i, _) in text.match_indices(suffix) {
            let window: Vec<(usize, char)> = text[..i]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_han(c))
                .take(4)
                .collect();
            // Longest first: 4 characters (compound surname + two), then 3, then 2.
            let found = window.iter().rev().find_map(|&(at, _)| {
                let sur = zh_surname_at(&text[at..i])?;
                let given = &text[at + sur..i];
                let n = given.chars().count();
                ((1..=2).contains(&n) && given.chars().all(zh_given_char)).then_some(at)
            });
            if let Some(at) = found {
                out.push(Raw {
                    kind: PiiKind::Name,
                    start: at,
                    end: i,
                });
            }
        }
    }
}

fn zh_surname(text: &str, ctx: &Context<'_>, out: &mut Vec<Raw>) {
    for cue in ZH_SURNAME_CUES {
        for (i, _) in text.match_indices(cue) {
            if ctx.agent && *cue == "我姓" {
                continue;
            }
            if *cue == "姓" {
                // Bare 姓 only where it starts the answer or follows 是/您/他/她/就: 老百姓 is not.
                let prev = text[..i].chars().next_back();
                if prev.is_some_and(|c| is_han(c) && !"是您他她就也都叫".contains(c)) {
                    continue;
                }
            }
            let at = skip_fillers(text, i + cue.len());
            let rest = &text[at..];
            if rest.starts_with('名') || rest.starts_with("什么") {
                continue;
            }
            // A surname the gazetteer lacks (我姓仉): after 我姓/免贵姓/贵姓 one character that
            // is no function word, standing alone.
            let rare = || {
                let c = rest.chars().next()?;
                let alone = name_ends_at(rest, c.len_utf8());
                (*cue != "姓" && is_han(c) && !not_given(c) && alone).then_some(c.len_utf8())
            };
            let Some(sur) = zh_surname_at(rest).or_else(rare) else {
                continue;
            };
            let end = at + sur;
            out.push(Raw {
                kind: PiiKind::Name,
                start: at,
                end,
            });
            describe(text, &text[at..end], end, out);
        }
    }
}

/// The description that often follows a surname: 李，木子李 / 张，弓长张 / 黄，黄河的黄.
fn describe(text: &str, surname: &str, from: usize, out: &mut Vec<Raw>) {
    let Some(last) = surname.chars().next_back() else {
        return;
    };
    let start = skip_fillers(text, from);
    // A description ending with the surname's character within a clause comes first.
    let described = text[start..]
        .chars()
        .take_while(|&c| is_han(c))
        .take(11)
        .skip(2)
        .any(|c| c == last);
    // 免贵姓欧阳，欧阳娜娜: the full name after the surname.
    if !described
        && text[start..].starts_with(surname)
        && let Some(end) = zh_name_at(text, start, true)
    {
        out.push(Raw {
            kind: PiiKind::Name,
            start,
            end,
        });
        return;
    }
    // The description ends with the surname (木子李, 单人旁一个几的那个仉); the full name may
    // follow it (我叫张 弓长张 张一鸣).
    let mut end = start;
    for (k, c) in text[start..].chars().enumerate() {
        if k > 10 || !is_han(c) {
            return;
        }
        end += c.len_utf8();
        if k >= 2 && c == last {
            out.push(Raw {
                kind: PiiKind::Name,
                start,
                end,
            });
            let next = skip_fillers(text, end);
            if text[next..].starts_with(surname)
                && let Some(full) = zh_name_at(text, next, true)
            {
                out.push(Raw {
                    kind: PiiKind::Name,
                    start: next,
                    end: full,
                });
            }
            return;
        }
    }
}

fn zh_titles(text: &str, out: &mut Vec<Raw>) {
    for title in ZH_TITLES {
        for (i, _) in text.match_indices(title) {
            // 老先生 also contains 先生: the longer title was handled.
            if *title == "先生" && text[..i].ends_with('老') {
                continue;
            }
            // Up to three Han characters right before the title.
            let window: Vec<(usize, char)> = text[..i]
                .char_indices()
                .rev()
                .take_while(|&(_, c)| is_han(c))
                .take(3)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            if window.is_empty() {
                continue;
            }
            let mut found = None;
            for s in 0..window.len() {
                let at = window[s].0;
                let Some(sur) = zh_surname_at(&text[at..i]) else {
                    continue;
                };
                let given = &text[at + sur..i];
                if given.chars().count() > 2 || given.chars().any(not_given) {
                    continue;
                }
                let prev = if s == 0 {
                    text[..at].chars().next_back()
                } else {
                    Some(window[s - 1].1)
                };
                // 各位女士, 这位先生: a determiner, not a name, before 位.
                if prev.is_some_and(|c| "各这那哪每某几两".contains(c)) {
                    continue;
                }
                let at_boundary = prev.is_none_or(|c| !is_han(c) || ZH_BOUNDARY.contains(c));
                if at_boundary || s == window.len() - 1 || (sur == i - at) {
                    found = Some(at);
                    if at_boundary {
                        break;
                    }
                }
            }
            // 请问是郦文杰先生吗, 好的禚先生: a surname the gazetteer lacks, alone or in a whole
            // three-character name, right after 是/的 or a pause.
            if found.is_none() && matches!(*title, "先生" | "女士" | "小姐" | "阿姨") {
                for k in [window.len().saturating_sub(3), window.len() - 1] {
                    let n = window.len() - k;
                    let after_boundary = (k == 0 || "是的叫".contains(window[k - 1].1))
                        && (k > 0
                            || text[..window[0].0]
                                .chars()
                                .next_back()
                                .is_none_or(|c| !is_han(c) || "是的叫".contains(c)));
                    if (n == 3 || n == 1)
                        && after_boundary
                        && !window[k..].iter().any(|&(_, c)| not_given(c))
                    {
                        found = Some(window[k].0);
                        break;
                    }
                }
            }
            if let Some(at) = found {
                out.push(Raw {
                    kind: PiiKind::Name,
                    start: at,
                    end: i,
                });
            }
        }
    }
}

/// English words (letters, apostrophes, hyphens) with their byte spans.
fn words(text: &str) -> Vec<(usize, usize)> {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| Regex::new(r"[A-Za-z][A-Za-z'’\-]*").expect("static regex"));
    re.find_iter(text).map(|m| (m.start(), m.end())).collect()
}

/// The name that starts at word `k`: its last word's index, judged as `cue` says.
fn en_name_from(text: &str, ws: &[(usize, usize)], k: usize, cue: Cue) -> Option<usize> {
    // Lower-case transcripts (some ASR output) carry no capitals to go by: a gazetteer name is
    // enough there. In mixed case, capitals mark names.
    let lowercase_text = !text.chars().any(char::is_uppercase);
    let mixed_case = !lowercase_text && text.chars().any(char::is_lowercase);
    let mut last = None;
    for j in k..(k + 3).min(ws.len()) {
        let w = &text[ws[j].0..ws[j].1];
        let w = w.trim_end_matches(['\'', '’', '-']);
        let initial_then_name = is_initial(text, ws[j])
            && ws
                .get(j + 1)
                .is_some_and(|&n| capitalised(&text[n.0..n.1]) && text[ws[j].1..n.0] == *". ");
        if j > k {
            // Names are written together: only spaces (or a hyphen) between the words, or the
            // full stop of a middle initial ("Marcus J. Bell").
            let gap = &text[ws[j - 1].1..ws[j].0];
            let after_initial = is_initial(text, ws[j - 1]) && gap == ". ";
            if !(gap.chars().all(|c| c == ' ') || after_initial) {
                break;
            }
        }
        if initial_then_name && (j > k || cue == Cue::Strong) {
            // "Marcus J. Bell", "the name on the card is J. Abernathy-Lowe".
            last = Some(j);
            continue;
        }
        if w.len() < 2 || en_not_name(w) {
            break;
        }
        let known = en_name(w);
        let ok = if j == k {
            match cue {
                Cue::Strong => known || capitalised(w),
                Cue::Person => {
                    known && (capitalised(w) || lowercase_text) || capitalised(w) && mixed_case
                }
                Cue::Weak => {
                    let next_capitalised = ws.get(j + 1).is_some_and(|&n| {
                        let nw = &text[n.0..n.1];
                        text[ws[j].1..n.0] == *" " && capitalised(nw) && !en_not_name(nw)
                    });
                    // "hi it's Kaito, I'm staying…", "this is Ilse again": one capitalised
                    // word that ends the phrase.
                    let ends_phrase = {
                        let rest = text[ws[j].1..].trim_start();
                        rest.is_empty()
                            || rest.starts_with([',', '.', '!', '?'])
                            || ["again", "here", "calling", "speaking"]
                                .iter()
                                .any(|a| rest.starts_with(a))
                    };
                    let plain = !EN_NOT_NAME_EXTRA.contains(&w.to_lowercase().as_str());
                    known && (capitalised(w) || lowercase_text)
                        || capitalised(w)
                            && mixed_case
                            && plain
                            && (next_capitalised || ends_phrase)
                }
            }
        } else {
            known || (capitalised(w) && last.is_some())
        };
        if !ok {
            break;
        }
        last = Some(j);
    }
    last
}

/// A middle initial: one capital letter followed by a full stop ("J.").
fn is_initial(text: &str, w: (usize, usize)) -> bool {
    let word = &text[w.0..w.1];
    word.len() == 1 && word.chars().all(|c| c.is_ascii_uppercase()) && text[w.1..].starts_with('.')
}

/// Words between a cue and the name that do not end the cue ("my name is, uh, also Robert").
fn en_filler(w: &str) -> bool {
    matches!(
        w,
        "uh" | "um" | "er" | "erm" | "uhm" | "also" | "actually" | "just"
    )
}

fn en_cues(text: &str, ctx: &Context<'_>, out: &mut Vec<Raw>) {
    let ws = words(text);
    let lower = text.to_lowercase();
    // Lowercasing keeps byte offsets for ASCII; a text with other letters whose lowercase differs
    // in length is matched word by word below instead.
    let same = lower.len() == text.len();
    for &(cue, strength, self_intro) in EN_CUES {
        if ctx.agent && self_intro {
            continue;
        }
        if cue == "it's" && ctx.question.is_none() {
            continue;
        }
        if !same {
            continue;
        }
        for (i, _) in lower.match_indices(cue) {
            let end = i + cue.len();
            let ok_before = lower[..i]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_ascii_alphanumeric());
            let ok_after = lower[end..]
                .chars()
                .next()
                .is_some_and(|c| matches!(c, ' ' | '.' | ','));
            if !ok_before || !ok_after {
                continue;
            }
            let Some(mut k) = ws.iter().position(|&(s, _)| s > end) else {
                continue;
            };
            while k + 1 < ws.len() && en_filler(&lower[ws[k].0..ws[k].1]) {
                k += 1;
            }
            // The name follows at once (allowing "Mr. ", spaces and hesitations).
            let between = &lower[end..ws[k].0];
            let only_fillers = between
                .split([' ', '.', ','])
                .all(|w| w.is_empty() || en_filler(w));
            if !only_fillers {
                continue;
            }
            if let Some(last) = en_name_from(text, &ws, k, strength) {
                out.push(Raw {
                    kind: PiiKind::Name,
                    start: ws[k].0,
                    end: ws[last].1,
                });
            }
        }
    }
}

/// Letters spelled one by one ("S M I T H", "Z-H-A-N-G"): a name being spelled.
fn spelled(text: &str, out: &mut Vec<Raw>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(r"\b[A-Za-z](?:[ .\-]{1,2}[A-Za-z]\b){2,}").expect("static regex")
    });
    for m in re.find_iter(text) {
        let letters: Vec<char> = m
            .as_str()
            .chars()
            .filter(char::is_ascii_alphabetic)
            .collect();
        if letters.iter().all(|c| matches!(c, 'a' | 'i' | 'A' | 'I')) {
            continue;
        }
        // Not part of a postcode or reference (letters next to digits, "R E F dash 2 8"), an
        // e-mail address being spelled ("m i k e seventy seven at"), nor "a m"/"p m".
        let next_word = text[m.end()..]
            .trim_start_matches([' ', ','])
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .unwrap_or("")
            .to_ascii_lowercase();
        let numberish = next_word.starts_with(|c: char| c.is_ascii_digit())
            || matches!(
                next_word.as_str(),
                "dash"
                    | "hyphen"
                    | "zero"
                    | "oh"
                    | "one"
                    | "two"
                    | "three"
                    | "four"
                    | "five"
                    | "six"
                    | "seven"
                    | "eight"
                    | "nine"
                    | "ten"
                    | "twenty"
                    | "thirty"
                    | "forty"
                    | "fifty"
                    | "sixty"
                    | "seventy"
                    | "eighty"
                    | "ninety"
                    | "at"
            );
        let clock = letters
            .iter()
            .all(|c| matches!(c.to_ascii_lowercase(), 'a' | 'p' | 'm'));
        if numberish || clock {
            continue;
        }
        out.push(Raw {
            kind: PiiKind::Name,
            start: m.start(),
            end: m.end(),
        });
        spelled_word(text, (m.start(), m.end()), out);
    }
}

/// Names right before what shows they are one: "Yusuf Demir speaking" (from the customer),
/// "Rafael Quintero, he's my landlord", "Lakshmi's account". Mixed-case text only (capitals are
/// the evidence).
fn en_before(text: &str, ctx: &Context<'_>, out: &mut Vec<Raw>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = RE.get_or_init(|| {
        Regex::new(concat!(
            r"\b([A-Z][a-z'’\-]+(?: [A-Z][a-z'’\-]+){0,2})",
            r"(?: speaking\b|, that's me\b|, (?:he|she)(?:'s| is) (?:my|our|the)\b|(?:'s|’s) (?:checking|savings|",
            r"account|card|policy|phone|number|order|booking|name|dad|mom|mum|father|mother|husband|wife|",
            r"son|daughter|brother|sister)\b)"
        ))
        .expect("static regex")
    });
    if !(text.chars().any(char::is_lowercase)) {
        return;
    }
    for c in re.captures_iter(text) {
        let Some(m) = c.get(1) else { continue };
        // "Emma speaking" from the agent is the agent's own name.
        if ctx.agent && text[m.end()..].starts_with(" speaking") {
            continue;
        }
        // Drop leading common words ("Hello Yusuf Demir speaking" keeps "Yusuf Demir").
        let mut start = m.start();
        for w in m.as_str().split(' ') {
            if en_not_name(w) || EN_NOT_NAME_EXTRA.contains(&w.to_lowercase().as_str()) {
                start += w.len() + 1;
            } else {
                break;
            }
        }
        if start < m.end() {
            out.push(Raw {
                kind: PiiKind::Name,
                start,
                end: m.end(),
            });
        }
    }
}

/// Capitalised words that start sentences or name things other than people, which the
/// name-before rules must not take ("Thanks, he's my...", "Visa's number").
const EN_NOT_NAME_EXTRA: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "visa",
    "mastercard",
    "amex",
    "paypal",
    "google",
    "apple",
    "amazon",
    "english",
    "spanish",
    "chinese",
    "this",
    "that",
    "there",
    "okay",
    "alright",
    "perfect",
    "everyone",
];

/// A word followed by its own spelling ("Sean, S-E-A-N", "I'm Nkechi, N K E C H I"): the word
/// is the name being spelled.
fn spelled_word(text: &str, spelled: (usize, usize), out: &mut Vec<Raw>) {
    let letters: String = text[spelled.0..spelled.1]
        .chars()
        .filter(char::is_ascii_alphabetic)
        .collect();
    let head = text[..spelled.0].trim_end_matches([' ', ',', '-', ':']);
    let word_start = head
        .char_indices()
        .rev()
        .find(|&(_, c)| !c.is_ascii_alphabetic())
        .map_or(0, |(i, c)| i + c.len_utf8());
    let word = &head[word_start..];
    if word.len() > 1 && word.eq_ignore_ascii_case(&letters) {
        out.push(Raw {
            kind: PiiKind::Name,
            start: word_start,
            end: head.len(),
        });
    }
}

/// The customer's answer to "how should I address you?": the name in it.
fn answer(text: &str, out: &mut Vec<Raw>) {
    // Mandarin: the first chunk of Han characters that is a surname plus up to two characters.
    let mut at = 0;
    for chunk in text.split(|c: char| !is_han(c)) {
        let start = at;
        at += chunk.len()
            + text[at + chunk.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        let from = skip_fillers(chunk, 0);
        let from = ["我叫", "我姓", "叫", "姓", "我"]
            .iter()
            .find(|p| chunk[from..].starts_with(*p))
            .map_or(from, |p| from + p.len());
        let rest = &chunk[from..];
        if rest.is_empty() || rest.chars().count() > 4 {
            continue;
        }
        let whole = |end: usize| end == chunk.len();
        if let Some(end) = zh_name_at(chunk, from, false)
            .filter(|&e| whole(e))
            .or_else(|| zh_name_loose(chunk, from).filter(|&e| whole(e)))
        {
            out.push(Raw {
                kind: PiiKind::Name,
                start: start + from,
                end: start + end,
            });
            break;
        }
    }
    // English: the run of gazetteer names (capitalised words next to one count too); in a
    // mixed-case answer any capitalised word that is no common word ("uh Dmitri").
    let ws = words(text);
    let mixed_case = text.chars().any(char::is_uppercase) && text.chars().any(char::is_lowercase);
    let mut k = 0;
    while k < ws.len() {
        let w = &text[ws[k].0..ws[k].1];
        let w = w.trim_end_matches(['\'', '’', '-']);
        // In mixed case only capitalised words ("holder" is a surname too, but not here).
        let name_like = if mixed_case {
            capitalised(w)
        } else {
            en_name(w)
        };
        if w.len() > 1 && !en_not_name(w) && name_like {
            let mut s = k;
            while s > 0 && {
                let p = &text[ws[s - 1].0..ws[s - 1].1];
                capitalised(p) && !en_not_name(p) && text[ws[s - 1].1..ws[s].0] == *" "
            } {
                s -= 1;
            }
            let last = en_name_from(text, &ws, k, Cue::Strong).unwrap_or(k);
            out.push(Raw {
                kind: PiiKind::Name,
                start: ws[s].0,
                end: ws[last].1,
            });
            k = last + 1;
        } else {
            k += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{Context, redact, redact_in};

    fn customer(question: &'static str) -> Context<'static> {
        Context {
            agent: false,
            question: Some(question),
        }
    }

    #[test]
    fn a_name_after_jiao_names_someone_at_a_clause_start_or_after_a_relative() {
        assert_eq!(redact("户主是我父亲，叫林国栋"), "户主是我父亲，叫[NAME]");
        assert_eq!(redact("收件人写我老婆，叫许静"), "收件人写我老婆，叫[NAME]");
        assert_eq!(redact("我儿子叫张子涵"), "我儿子叫[NAME]");
        // Inside a sentence 叫 is a verb: 叫车, 叫外卖.
        assert_eq!(redact("我想叫车去机场"), "我想叫车去机场");
        assert_eq!(redact("我刚叫了外卖"), "我刚叫了外卖");
        // The agent's own name at a clause start is kept.
        let agent = Context {
            agent: true,
            question: None,
        };
        assert_eq!(
            redact_in("您好，叫我小王就行", &agent),
            "您好，叫我小王就行"
        );
    }

    #[test]
    fn a_full_name_before_ming_xia_or_ben_ren() {
        assert_eq!(
            redact("帮我查一下罗小雨名下的订单"),
            "帮我查一下[NAME]名下的订单"
        );
        assert_eq!(redact("是张伟本人吗"), "是[NAME]本人吗");
        assert_eq!(redact("需要客户本人来办理"), "需要客户本人来办理");
    }

    #[test]
    fn rare_surnames_after_strong_cues_relatives_and_titles() {
        assert_eq!(
            redact("你好 我叫郗晓蔓 想问一下"),
            "你好 我叫[NAME] 想问一下"
        );
        assert_eq!(
            redact("好的禚先生 我这边马上帮您查询"),
            "好的[NAME]先生 我这边马上帮您查询"
        );
        assert_eq!(
            redact("不是 我是他弟弟 公孙毅 他手机落我这了"),
            "不是 我是他弟弟 [NAME] 他手机落我这了"
        );
        assert_eq!(redact("被保险人是我岳母尉迟桂兰"), "被保险人是我岳母[NAME]");
        assert_eq!(redact("是帮我同事昝国栋买的"), "是帮我同事[NAME]买的");
        assert_eq!(redact("户名是亢永辉"), "户名是[NAME]");
        assert_eq!(redact_in("逄玉珍", &customer("请问您怎么称呼？")), "[NAME]");
        // Words after a relative are not names: 孩子上网课, 我妈身体不好.
        assert_eq!(redact("孩子上网课，晚上有点卡"), "孩子上网课，晚上有点卡");
        assert_eq!(redact("各位女士请注意"), "各位女士请注意");
    }

    #[test]
    fn english_names_ending_a_phrase_or_before_that_is_me() {
        assert_eq!(
            redact("hi this is Kaito, I'm staying with you this week"),
            "hi this is [NAME], I'm staying with you this week"
        );
        assert_eq!(redact("hey this is Ilse again"), "hey this is [NAME] again");
        assert_eq!(redact("Emre Yildirim, that's me"), "[NAME], that's me");
        assert_eq!(redact("no, I'm Mateo's dad"), "no, I'm [NAME]'s dad");
        assert_eq!(redact("the payee is Tariq Siddiqui"), "the payee is [NAME]");
        assert_eq!(
            redact("my brother-in-law Wiremu Tane"),
            "my brother-in-law [NAME]"
        );
        // A weekday or a single word that does not end the phrase is no name.
        assert_eq!(redact("it's Monday, right?"), "it's Monday, right?");
        assert_eq!(
            redact("it's Premium that I have"),
            "it's Premium that I have"
        );
        let agent = Context {
            agent: true,
            question: None,
        };
        assert_eq!(
            redact_in("just ask for Priyanka, extension 3304", &agent),
            "just ask for Priyanka, extension 3304"
        );
    }

    #[test]
    fn compound_surnames_come_from_the_gazetteer() {
        assert_eq!(redact_in("诸葛明亮", &customer("开户人姓名是？")), "[NAME]");
        assert_eq!(redact("我叫司马光"), "我叫[NAME]");
    }

    #[test]
    fn english_relatives_initials_and_name_questions() {
        assert_eq!(
            redact("the account is under my husband's name, Kevin Marsh"),
            "the account is under my husband's name, [NAME]"
        );
        assert_eq!(
            redact("I'm calling for my mother, Gloria Reyes"),
            "I'm calling for my mother, [NAME]"
        );
        assert_eq!(
            redact("my son Brandon set it up"),
            "my son [NAME] set it up"
        );
        assert_eq!(redact("my mother said so"), "my mother said so");
        assert_eq!(
            redact_in("Marcus J. Bell", &customer("And the name on the card?")),
            "[NAME]"
        );
        assert_eq!(
            redact("first name Siobhan, S I O B H A N"),
            "first name [NAME], [NAME]"
        );
        assert_eq!(
            redact("hi my name is also robert robert jones um i need help"),
            "hi my name is also [NAME] um i need help"
        );
    }
}
