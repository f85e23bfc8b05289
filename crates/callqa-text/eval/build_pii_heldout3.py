"""Build crates/callqa-text/eval/pii_heldout3.jsonl: a third, fresh held-out PII set (issue 12).

Run at development time only (the product and its tests read the committed JSONL):

    python3 crates/callqa-text/eval/build_pii_heldout3.py [../shared/data/dialog_real]

`pii_heldout.jsonl` and `pii_heldout2.jsonl` have both been scored and looked at while the
redactor was being fixed, so neither counts as held out any more. This set replaces them for that
purpose. It was labelled by reading the text only: the redactor was neither read nor run on any
of it, and no redactor output was seen. Its rules must not be tuned against it. Every line has the
format of `pii_eval.jsonl` with `split: "heldout3"`. Ids are `<source>:<dialog_id>:<turn>` for
corpus lines, `written:<n>` for written cases and `written:neg<n>` for the written hard
negatives (no PII, but close). The output is byte-for-byte the same on every run (seeded
generators, no set iteration).

Labelling rules: exactly those in the header of `build_pii_heldout.py` (name, phone, id, card,
account, address, email, dob; the agent's own name and staff number, businesses, venues and
public figures are not names; train and flight numbers, models, amounts and quantities are not
accounts; a street or city alone is not an address; only a private person's birth date is a dob).
How a name is written out ("鞠躬的鞠", "革字旁加一个斤的那个靳", "with two i's") is not labelled
again; the name itself and a letter-by-letter spelling ("N-G-O-Z-I") are. An extension said after
a phone number is part of it. This builder places each span at its offsets, checks that the
labelled text sits there and that no two spans of a line overlap.

Sources (each line carries `source` and `licence`):
- Corpus lines from `../shared/data/dialog_real` (licences as its README states them). Samples are
  seeded (random.Random(3600 + i)) and drawn only from dialogues that none of `pii_eval.jsonl`,
  `pii_heldout.jsonl` and `pii_heldout2.jsonl` uses (any line of theirs with an id
  `<source>:<dialog_id>:<turn>` excludes the whole dialogue). Per corpus, N lines with a cue
  (digits, reference, postcode, phone, address, name, e-mail, birth, account, card or membership
  words) and M other lines:
  - SGD (`sgd_en.jsonl.gz`, CC BY-SA 4.0; the lines taken from it stay CC BY-SA 4.0): 28 + 8.
  - MultiWOZ 2.1 val/test (`multiwoz21_valtest_en.jsonl.gz`, MIT / CC BY 4.0): 28 + 8.
  - CrossWOZ val/test (`crosswoz_valtest_zh.jsonl.gz`, Apache-2.0): 28 + 8.
  - KdConv dev/test (`kdconv_devtest_zh.jsonl.gz`, Apache-2.0): 10 + 5.
  - Taskmaster-1/2/3 samples (`taskmaster_samples_en.jsonl.gz`, CC BY 4.0), ABCD sample
    (`abcd_sample_en.jsonl.gz`, MIT) and Harper Valley Bank excerpt
    (`harper_valley_bank_excerpt_en.jsonl.gz`, Apache-2.0 per the repo's LICENSE; an older
    provenance note says CC BY 4.0, both permissive): their licences allow committing lines, but
    every one of their dialogues is already in an earlier set, so none is left to use. They are
    listed so that the builder says so (0 lines each).
  Not used: the Taobao e-commerce sample (no licence stated) and STC-3 (non-commercial only).
- Written call-centre cases (this file, licence "callqa", as callqa's own), Mandarin and English,
  written fresh for this set from the entity list of issue 12, not from the redactor's output and
  not from the written cases of the earlier builders. The weight is on names (rare and compound
  surnames, names after 贵姓/称呼/"can I have your name", relatives and payees, spelled letters,
  names of many origins) and account/order/member/policy/booking numbers (alphanumeric, digit by
  digit, 幺/两/"oh"/"double", ASR-garbled "for"/"to"/要, bare answers whose kind only the
  `question` shows). Resident IDs (valid GB 11643 check character) and card numbers (Luhn-valid)
  come from a seeded generator (random.Random(3650)); each is written as digits, in groups,
  spoken or ASR-garbled. The hard negatives hold amounts, times, flight and train numbers,
  models, quantities, streets and cities alone, the agent's own name and staff number, public
  figures, companies and dates of bookings.
"""

import json
import pathlib
import random
import re
import sys

from pii_build import question_before, read_jsonl_gz

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parents[2]
SRC = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data/dialog_real"
SPLIT = "heldout3"

items = []


def add(source, licence, lang, speaker, text, labels, question=None, ref=None):
    """Append one line; each label is (type, substring[, n-th occurrence])."""
    pii = []
    for lab in labels:
        kind, sub = lab[0], lab[1]
        nth = lab[2] if len(lab) > 2 else 0
        at = -1
        for _ in range(nth + 1):
            at = text.find(sub, at + 1)
            if at < 0:
                raise SystemExit(f"label {sub!r} not in {text!r}")
        assert text[at:at + len(sub)] == sub
        for p in pii:
            if at < p["end_char"] and p["start_char"] < at + len(sub):
                raise SystemExit(f"labels {sub!r} and {p['text']!r} overlap in {text!r}")
        pii.append({"type": kind, "start_char": at, "end_char": at + len(sub), "text": sub})
    pii.sort(key=lambda p: p["start_char"])
    items.append(
        {
            "id": f"{source}:{ref}" if ref is not None else f"{source}:{len(items)}",
            "source": source,
            "licence": licence,
            "split": SPLIT,
            "lang": lang,
            "speaker": speaker,
            "question": question,
            "text": text,
            "pii": pii,
        }
    )


def read(name):
    return read_jsonl_gz(SRC / name)


# --- Corpus lines ---------------------------------------------------------------------------------
# Dialogues that any earlier set drew from are left out entirely.
USED = set()
for earlier in ("pii_eval.jsonl", "pii_heldout.jsonl", "pii_heldout2.jsonl"):
    for line in (HERE / earlier).open(encoding="utf-8"):
        parts = json.loads(line)["id"].split(":")
        if len(parts) >= 3:
            USED.add(parts[1])

CUE_EN = re.compile(
    r"\d{3,}|reference|confirmation|post ?code|phone|address|e-?mail|@|my name|name is|"
    r"under the name|birth|born|account|card|member|\bmr\.?\s|\bmrs\.?\s|\bms\.?\s",
    re.I,
)
CUE_ZH = re.compile(r"\d{4,}|电话|手机|号码|地址|邮箱|我叫|姓|先生|女士|小姐|出生|生日|账号|会员|卡")

# (file, source, licence, lang, cue, lines with a cue, other lines)
CORPORA = [
    ("sgd_en.jsonl.gz", "sgd", "CC BY-SA 4.0", "en", CUE_EN, 28, 8),
    ("taskmaster_samples_en.jsonl.gz", "taskmaster", "CC BY 4.0", "en", CUE_EN, 10, 4),
    ("multiwoz21_valtest_en.jsonl.gz", "multiwoz21", "MIT", "en", CUE_EN, 28, 8),
    ("crosswoz_valtest_zh.jsonl.gz", "crosswoz", "Apache-2.0", "zh", CUE_ZH, 28, 8),
    ("kdconv_devtest_zh.jsonl.gz", "kdconv", "Apache-2.0", "zh", CUE_ZH, 10, 5),
    ("abcd_sample_en.jsonl.gz", "abcd", "MIT", "en", CUE_EN, 10, 4),
    ("harper_valley_bank_excerpt_en.jsonl.gz", "hvb", "Apache-2.0", "en", CUE_EN, 10, 4),
]

# Labels per "dialog_id:turn", by reading the sampled lines; a sampled line not named here has no
# PII. SGD's and CrossWOZ's venue addresses and phone numbers are labelled (the redactor cannot
# know whose number it is); MultiWOZ's booking references are accounts and its postcodes
# addresses; train numbers, prices, public figures' dates (KdConv) and venue names are not.
LABELS = {
    "sgd-test-7_00054:5": [("address", "750 North King Road")],
    "sgd-test-25_00007:15": [("address", "1499 Valencia Street")],
    "sgd-train-87_00096:7": [("address", "1600 Aster Drive")],
    "sgd-test-6_00049:5": [("address", "1532 20th Street")],
    "sgd-dev-16_00073:3": [("phone", "+44 20 7493 4545")],
    "sgd-train-67_00034:5": [("address", "2227 piedmont Avenue")],
    "sgd-train-99_00097:9": [("address", "7000 Coliseum Way")],
    "sgd-train-67_00035:7": [("address", "24 Willie Mays Plaza")],
    "sgd-train-86_00030:3": [("address", "1059 Reed Avenue")],
    "sgd-dev-3_00046:15": [("address", "2880 Zanker Road # 203"), ("phone", "650-274-8004")],
    # A payee the customer named.
    "sgd-test-24_00106:5": [("name", "Yumi")],
    "sgd-dev-19_00041:13": [("phone", "888-786-7919")],
    "sgd-test-15_00049:7": [("address", "574 Arastradero road")],
    "sgd-test-24_00083:11": [("phone", "408-782-5151")],
    "sgd-train-69_00033:5": [("phone", "415-623-5300")],
    "sgd-train-28_00124:9": [("phone", "408-316-8226")],
    "multiwoz21-val-PMUL1525:13": [("account", "RJ56SN8K")],
    "multiwoz21-test-MUL1189:1": [("address", "14 King's Parade"), ("address", "cb21sj")],
    "multiwoz21-val-PMUL0564:5": [("address", "cb21db")],
    "multiwoz21-test-PMUL0768:7": [("account", "WZ2PQDLR")],
    "multiwoz21-test-MUL1633:3": [("address", "2 Rose Crescent"), ("account", "DU8IWQZ2")],
    "multiwoz21-val-PMUL2894:3": [("address", "cb12de")],
    "multiwoz21-val-MUL0650:1": [("address", "82 arbury road"), ("address", "cb42je")],
    "multiwoz21-test-PMUL4800:5": [("address", "7 Barnwell Road"), ("address", "cb58rg")],
    "multiwoz21-val-SNG02029:3": [("phone", "07821922219")],
    "multiwoz21-val-MUL1286:13": [("account", "4YCRSK69")],
    "multiwoz21-val-MUL1884:5": [("address", "cb23bu"), ("address", "cb21ta")],
    "multiwoz21-test-PMUL1284:5": [("account", "1I1USKBS")],
    "multiwoz21-test-PMUL0204:5": [("address", "cb17ag")],
    "multiwoz21-test-PMUL3521:11": [("account", "2GPZ3DZ8")],
    "multiwoz21-test-PMUL4025:11": [("account", "2Y4SWTCF")],
    "crosswoz-val-9490:7": [("address", "灯市口大街10-2号")],
    "crosswoz-val-12074:3": [("address", "景山前街4号")],
    "crosswoz-test-12114:3": [("phone", "010-65120909")],
    "crosswoz-val-10797:15": [("phone", "01069612187")],
    "crosswoz-val-2705:3": [("address", "东直门内大街233号"), ("phone", "01064003511")],
    "crosswoz-test-11339:29": [("address", "北京朝阳区霄云路26号")],
    "crosswoz-test-11628:3": [("address", "北京市海淀区双清路30号")],
    "crosswoz-val-10633:3": [("phone", "67654321")],
    "crosswoz-val-12025:7": [("address", "前门大街30号")],
    "crosswoz-val-2057:11": [("phone", "01066159026")],
    "crosswoz-val-8658:3": [("address", "北京朝阳区劲松南路5号院")],
    "crosswoz-test-11367:9": [("address", "北京市东城区东长安街16号")],
    "kdconv-travel-test-0057:3": [("phone", "010-85007938")],
}


def pick(rows, cue, n_cue, n_other, seed):
    rows = [r for r in rows if r["dialog_id"] not in USED and r["text"].strip()
            and r["speaker"] in ("agent", "customer", "other")]
    rng = random.Random(seed)
    cued = [r for r in rows if cue.search(r["text"])]
    a = rng.sample(cued, min(n_cue, len(cued)))
    keys = {(r["dialog_id"], r["turn"]) for r in a}
    rest = [r for r in rows if (r["dialog_id"], r["turn"]) not in keys]
    return a + rng.sample(rest, min(n_other, len(rest)))


taken = set()
for i, (name, source, licence, lang, cue, n_cue, n_other) in enumerate(CORPORA):
    rows = read(name)
    dialogs = {}
    for r in rows:
        dialogs.setdefault(r["dialog_id"], []).append(r)
    for v in dialogs.values():
        v.sort(key=lambda d: d["turn"])
    chosen = pick(rows, cue, n_cue, n_other, 3600 + i)
    if not chosen:
        print(f"{name}: every dialogue is in an earlier set, 0 lines")
    for r in chosen:
        key = f"{r['dialog_id']}:{r['turn']}"
        taken.add(key)
        lines = dialogs[r["dialog_id"]]
        at = next(j for j, d in enumerate(lines) if d["turn"] == r["turn"])
        speaker = r["speaker"] if r["speaker"] in ("agent", "customer") else "customer"
        add(source, licence, lang, speaker, r["text"], LABELS.get(key, []),
            question_before(lines, at), ref=key)
stale = sorted(set(LABELS) - taken)
if stale:
    raise SystemExit(f"labels for lines not in the sample: {stale}")

# --- Written cases: number generators -------------------------------------------------------------
rng = random.Random(3650)

ZH_DIGIT = "零一二三四五六七八九"
EN_DIGIT = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def zh_id(region=None, year=None):
    """An 18-character resident ID with a valid GB 11643 check character."""
    region = region or rng.choice(["130102", "230103", "350203", "450102", "520102", "620102",
                                   "150102", "340104", "430111", "500103", "210106", "360102"])
    year = year or rng.randint(1952, 2005)
    body = region + f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]


def luhn(prefix, length=16):
    """A Luhn-valid card number starting with `prefix`."""
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    total = 0
    for k, c in enumerate(reversed(body)):
        d = int(c)
        if k % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def ssn():
    return f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"


def group(s, sizes, sep=" "):
    out, at = [], 0
    for n in sizes:
        out.append(s[at:at + n])
        at += n
    if at < len(s):
        out.append(s[at:])
    return sep.join(out)


def zh_say(s, yao=True, liang=False, sep=""):
    """Digits as a Mandarin speaker reads them (1 as 幺, optionally 2 as 两, X as 叉)."""
    out = []
    for c in s:
        if c == "1" and yao:
            out.append("幺")
        elif c == "2" and liang:
            out.append("两")
        elif c in "Xx":
            out.append("叉")
        elif c.isdigit():
            out.append(ZH_DIGIT[int(c)])
        elif c == " ":
            out.append(" ")
            continue
        else:
            out.append(c)
    return sep.join(out)


def en_say(s, oh=True):
    """Digits as English words, "oh" for zero; other characters are kept."""
    words = []
    for c in s:
        if c.isdigit():
            words.append("oh" if c == "0" and oh else EN_DIGIT[int(c)])
        elif c != " ":
            words.append(c)
    return " ".join(words)


# --- Written cases --------------------------------------------------------------------------------
# Text is written with inline marks ⟦type|span⟧; `w` strips them and labels each span at its
# exact offsets, so the same surname said twice in a line is labelled where it is meant.
MARK = re.compile(r"⟦(\w+)\|([^⟧]+)⟧")
KINDS = {"name", "phone", "id", "card", "account", "address", "email", "dob"}
n_pos = 0
n_neg = 0


def w(lang, speaker, question, marked):
    """A written line with PII (or none) marked inline."""
    global n_pos
    text, pii, at = "", [], 0
    for m in MARK.finditer(marked):
        kind, span = m.group(1), m.group(2)
        if kind not in KINDS:
            raise SystemExit(f"unknown type {kind!r} in {marked!r}")
        text += marked[at:m.start()]
        pii.append({"type": kind, "start_char": len(text), "end_char": len(text) + len(span),
                    "text": span})
        text += span
        at = m.end()
    text += marked[at:]
    if "⟦" in text or "⟧" in text:
        raise SystemExit(f"unbalanced mark in {marked!r}")
    for p in pii:
        if text[p["start_char"]:p["end_char"]] != p["text"]:
            raise SystemExit(f"span {p['text']!r} not at its offsets in {text!r}")
    items.append({"id": f"written:{n_pos}", "source": "written", "licence": "callqa",
                  "split": SPLIT, "lang": lang, "speaker": speaker, "question": question,
                  "text": text, "pii": pii})
    n_pos += 1


def neg(lang, speaker, question, text):
    """A written hard negative: no PII, though it looks close."""
    global n_neg
    if "⟦" in text:
        raise SystemExit(f"a hard negative with a mark: {text!r}")
    items.append({"id": f"written:neg{n_neg}", "source": "written", "licence": "callqa",
                  "split": SPLIT, "lang": lang, "speaker": speaker, "question": question,
                  "text": text, "pii": []})
    n_neg += 1

# --- Names (Mandarin) -----------------------------------------------------------------------------
Q_NAME = "请问怎么称呼您"
w("zh", "customer", Q_NAME, "我姓⟦name|仉⟧ 单立人一个几字的那个仉")
w("zh", "customer", "您好 这里是顺达物流客服 请问有什么可以帮您", "你好 我叫⟦name|郗晓蔓⟧ 想问一下我的件到哪了")
w("zh", "customer", "请问您贵姓", "免贵姓⟦name|蒯⟧ 比较少见的那个蒯 草字头的")
w("zh", "agent", "我上个月就投诉过了怎么还没处理", "⟦name|闾丘⟧女士您好 您反映的问题我们已经升级处理了")
w("zh", "customer", "请问持卡人是您本人吗", "不是 持卡人是我爱人 叫⟦name|司马慧琳⟧")
w("zh", "customer", "请问这套房子的户主是哪位", "户主是我父亲⟦name|亓长顺⟧ 房子一直在他名下")
w("zh", "customer", "请说一下开户人姓名", "⟦name|逄玉珍⟧")
w("zh", "customer", "为了核实身份 请提供一下身份证后四位", f"本人是⟦name|晁立新⟧ 身份证后四位是⟦id|{zh_id()[-4:]}⟧")
w("zh", "agent", "喂 我那个退款到底什么时候到", "好的⟦name|禚⟧先生 我这边马上帮您查询一下退款进度")
w("zh", "customer", "请问收款人姓名", "收款人写⟦name|冼嘉怡⟧ 冼是两点水加一个先后的先")
w("zh", "customer", "请问您是病人本人吗", "我是⟦name|上官云飞⟧的家属 他现在住院没法接电话")
w("zh", "customer", "您好 请问是机主本人吗",
  "不是 机主是我妈妈⟦name|阚秀英⟧ 我是她儿子 我叫⟦name|阚磊⟧")
w("zh", "customer", "您好 请问有什么可以帮您", "喂 你好 我是⟦name|佘⟧女士 上礼拜打过你们电话的")
w("zh", "agent", None, "您好 请问是⟦name|皇甫明轩⟧先生吗 这边是车险续保的回访电话")
w("zh", "customer", "麻烦您说一下全名", "⟦name|靳雨桐⟧ 革字旁加一个斤的那个靳")
w("zh", "customer", "请问您叫什么名字", "⟦name|鞠文斌⟧ 鞠躬的鞠 文化的文 文武双全的斌")
w("zh", "customer", "请问怎么称呼", "我叫⟦name|令狐安⟧ 名字就一个字 安全的安")
w("zh", "customer", "这个账户是登记在谁名下的", "登记的是我女儿的名字 ⟦name|邝思琪⟧")
w("zh", "customer", "收件人是您本人吗", "不是 是帮我同事⟦name|昝国栋⟧买的 收件人写他就行")
w("zh", "customer", "麻烦报一下您的全名", "⟦name|赫连霜⟧")
w("zh", "customer", "您好 这边是售后服务中心", "嗯我是⟦name|汲⟧先生啊 你们的师傅昨天说今天上门的")
w("zh", "customer", "请问卡是您本人的吗",
  "那个 我老公叫⟦name|缑建军⟧ 卡是他的 我就是帮他问问")
w("zh", "agent", "我不会弄这个手机啊", "⟦name|訾⟧阿姨您别着急 我一步一步教您操作")
w("zh", "customer", "请问您的姓名", "我叫⟦name|端木 青⟧ 端正的端 木头的木 青色的青")
w("zh", "customer", "投保人和被保险人分别是谁",
  "投保人⟦name|隗志强⟧ 被保险人是他儿子⟦name|隗子墨⟧")
w("zh", "customer", Q_NAME, "叫我小⟦name|厍⟧就行 大家都这么叫")
w("zh", "customer", "请问您和学员是什么关系", "我是⟦name|宇文婷⟧的妈妈 她在上课 我替她办一下")
w("zh", "customer", "请问本人姓名", "⟦name|琚明⟧")
w("zh", "customer", "请问您贵姓", "诶你好 我姓⟦name|夏侯⟧ 夏天的夏 王侯将相的侯")
w("zh", "agent", "对 就寄到公司", "跟您确认一下 收货人⟦name|申屠佳⟧ 对吗")
w("zh", "customer", "请问是哪位在办理", "对 是我本人办的 ⟦name|闻人语嫣⟧")
w("zh", "customer", "请问您叫什么", "我叫⟦name|王芳⟧ 三横一竖的王 芳香的芳")
w("zh", "customer", "上次是哪位同事接待的您",
  "上次接你们电话的是个小伙子 我不记得他叫啥 我自己叫⟦name|黄启明⟧")
w("zh", "customer", "请问被保险人姓名", "被保险人是我岳母⟦name|尉迟桂兰⟧ 七十二岁了")
w("zh", "customer", "请问转账给谁",
  "转给⟦name|戚⟧老师 就是我孩子的班主任 全名⟦name|戚红梅⟧")
w("zh", "agent", None, "您好 请问您是⟦name|公孙⟧先生本人吗 这里是银行信用卡中心")
w("zh", "customer", "您好 请问您是公孙先生本人吗 这里是银行信用卡中心",
  "不是 我是他弟弟 ⟦name|公孙毅⟧ 他手机落我这了")
w("zh", "customer", "请问怎么称呼您", "我叫⟦name|周梓涵⟧ 梓是木字旁加一个辛苦的辛")
w("zh", "customer", "请问您是哪位", "我是⟦name|庹⟧ 广字头下面一个尺子的尺 ⟦name|庹春燕⟧")
w("zh", "customer", "嗯 还有什么问题吗", "还有就是我妹妹⟦name|钮丹⟧也想办一张副卡")
w("zh", "agent", "我上次订的那个房间能不能改日期", "可以的⟦name|谯⟧小姐 您想改到哪一天")
w("zh", "customer", "请问开户名是什么", "开户名是⟦name|拓跋凌云⟧ 对 四个字的")
w("zh", "customer", "请问您的名字怎么写", "⟦name|东方⟧ 就是东西的东 方向的方 名字叫⟦name|晓⟧")
w("zh", "customer", "请问是您本人操作的吗", "是我操作的 我叫⟦name|刘洋⟧ 刘备的刘 海洋的洋")

# --- Names (English) ------------------------------------------------------------------------------
w("en", "customer", "Can I have your name please?", "yeah it's ⟦name|Adaeze Nwachukwu⟧")
w("en", "customer", "Thank you for calling, how can I help?", "hi my name is ⟦name|Siobhan Keane⟧ and I was double charged")
w("en", "customer", "Good afternoon, you're through to billing.", "Hi, this is ⟦name|Lakshmi Venkataraman⟧ calling about my refund.")
w("en", "customer", "Could you spell your last name for me?", "sure it's ⟦name|W-R-O-B-L-E-W-S-K-I⟧")
w("en", "agent", "Yes that's my address.", "thank you Mr ⟦name|Okafor⟧ I've pulled up the file now")
w("en", "customer", "Whose name is the account in?", "the account holder is my mother ⟦name|Liv Haugland⟧")
w("en", "customer", "Are you the account holder?", "no I'm calling on behalf of my husband ⟦name|Kofi⟧, he's at work")
w("en", "customer", "And who am I speaking with today?", "⟦name|Thandiwe⟧")
w("en", "customer", "What name is the booking under?", "it should be under ⟦name|Dlamini⟧ ⟦name|D-L-A-M-I-N-I⟧")
w("en", "agent", "I ordered twice by mistake.", "Mrs ⟦name|Haddad⟧ I can see two orders on your profile, let me cancel one")
w("en", "customer", "Who was the payment sent to?", "I sent it to my landlord ⟦name|Bjorn Lindqvist⟧")
w("en", "customer", "Am I speaking with Ms Nguyen?", "yes that's me, ⟦name|Lan Nguyen⟧")
w("en", "customer", "May I have the full name on the policy?", "⟦name|Guadalupe Ortega Ruiz⟧")
w("en", "customer", "and your name sir", "um my name's ⟦name|declan o'rourke⟧")
w("en", "customer", "Hello, front desk.", "hi it's ⟦name|Kaito⟧, I'm staying with you this week and the heater's not working")
w("en", "customer", "Who is the payee?", "the payee is ⟦name|Tariq Siddiqui⟧, Siddiqui with two i's")
w("en", "customer", "And the name of the cardholder?", "that's my daughter ⟦name|Aleksandra⟧")
w("en", "customer", "What's the first name?", "first name ⟦name|Itzel⟧, ⟦name|I-T-Z-E-L⟧")
w("en", "customer", "And the last name?", "last name is ⟦name|Esposito⟧")
w("en", "customer", "Who's calling please?", "this is doctor ⟦name|hamid karimi⟧ I'm a customer of yours")
w("en", "customer", "Who opened the account?", "my son ⟦name|Ezekiel⟧ set it up for me, I don't do computers")
w("en", "customer", "Can I take your name?", "I'm ⟦name|Eilidh MacLeod⟧, that's ⟦name|E-I-L-I-D-H⟧")
w("en", "customer", "Whose name should the reservation be under?", "could you put it under my wife's name, ⟦name|Graciela⟧")
w("en", "customer", "Who's the primary on the account?", "⟦name|Emre Yildirim⟧, that's me")
w("en", "customer", None, "Hi, Ms. ⟦name|Zielinska⟧ here, returning a missed call from this number.")
w("en", "customer", "What name is the claim under?", "the name is ⟦name|Anahera Parata⟧")
w("en", "agent", "I still can't log in.", "okay Mr ⟦name|Volkov⟧ I've just sent a new reset link to you")
w("en", "customer", "Thanks for holding, who do I have on the line?", "this is ⟦name|Juniper Hale⟧")
w("en", "customer", "How can I help today?", "I'm calling for my grandfather ⟦name|Kwame Asante⟧, he's hard of hearing")
w("en", "customer", "can I get your name", "my name is ⟦name|bao tran⟧ ⟦name|b a o⟧")
w("en", "customer", "Welcome back, what can I do for you?", "hey this is ⟦name|Ilse⟧ again, we spoke this morning")
w("en", "customer", "Who is the gift for?", "it was for my niece ⟦name|Saoirse⟧, she turns nine")
w("en", "customer", "What name is on the reservation?", "the reservation is for Mr and Mrs ⟦name|Pemberton⟧, two guests")
w("en", "agent", None, "hi, am I speaking with ⟦name|Lachlan Pierce⟧? I'm calling from the claims team")
w("en", "customer", "Could you spell your first name?", "it's ⟦name|Ngozi⟧, ⟦name|N-G-O-Z-I⟧")
w("en", "customer", "Who am I speaking with?", "my name is ⟦name|Soraya⟧ and honestly I'm really frustrated")
w("en", "customer", "Are you the subscriber on the plan?", "no, I'm ⟦name|Mateo⟧'s dad, he's the one on the plan")
w("en", "customer", "Is the card in your name?", "The card's in my partner's name, ⟦name|Dominic Achterberg⟧.")
w("en", "customer", "Sorry, I didn't catch your surname.", "⟦name|Fitzgerald-Mbeki⟧, with a hyphen")
w("en", "customer", "Who should we ask for at the door?", "ask for ⟦name|Rosalind⟧ or my brother ⟦name|Teodor⟧")

# --- Accounts: order, membership, policy, booking, reference numbers ------------------------------
w("zh", "customer", "请问您的会员号是多少", "⟦account|8 8 0 3 1 7 2 6⟧")
w("zh", "customer", "请提供一下订单号", "订单号是⟦account|2611 0349 8812 0057⟧")
w("zh", "customer", "请问您要咨询哪张保单", "我的保单号是⟦account|P4408 2026 0193⟧ 去年买的重疾险")
w("zh", "customer", "请报一下会员卡号", "会员卡号 ⟦account|幺三零 两八 七七 幺九⟧")
w("zh", "customer", "请问您的保单号码", "⟦account|二零二六零三幺七四四八⟧")
w("zh", "customer", "请问是哪一笔订单", "订单尾号⟦account|3392⟧那个 一直没发货")
w("zh", "customer", "请提供一下您的资金账号", "资金账号是⟦account|6028 4419 0037⟧")
w("zh", "customer", "请问酒店预订的确认号", "确认号是⟦account|HT7K29Q⟧ 我截图了")
w("zh", "customer", "请问您的客户编号", "编号是⟦account|KH20230518⟧")
w("zh", "customer", "订单号能报一下吗", "单号是 ⟦account|要幺三 五五 零八 七二 要⟧")
w("zh", "customer", None, "我要退保 保单号 ⟦account|BD-7731-0926⟧ 保险人是我自己")
w("zh", "customer", "请问您的宽带账号", "宽带账号是⟦account|028 6637 1190⟧")
w("zh", "agent", "好的那就麻烦你们了", "您的工单编号是⟦account|GD20261203017⟧ 后续有进展会短信通知您")
w("zh", "customer", "请问您的会员账号", "是⟦account|VIP0073 21⟧ 金卡会员")
w("zh", "customer", "请问燃气户号多少", "燃气户号⟦account|3100 8765 42⟧")
w("zh", "customer", "请问电费户号", "电费户号是⟦account|幺幺零 三四 二六 八八 零九⟧")
w("zh", "customer", "您还记得订单编号吗", "记得 ⟦account|E 二零二六 一一三零 四五⟧ 开头是个E")
w("zh", "customer", "请报一下合同编号", "⟦account|HT-2025-08831⟧")
w("zh", "customer", "请问有什么可以帮您", "我那个机票的预订编码是⟦account|MZ4QX8⟧ 想改签")
w("zh", "customer", "请问您的会员号", "会员号我记不全了 后四位是⟦account|7719⟧")
w("zh", "customer", "请问您的订单编号", "淘宝订单 ⟦account|3 6 8 4 0 2 2 9 1 7 5 5 3⟧")
w("zh", "customer", "请问您的学员编号", "⟦account|XY10482⟧")
w("zh", "customer", "请问您是哪份保单出险了", "车险保单 ⟦account|PDAA202631010000458822⟧ 前天在高速上追尾了")
w("zh", "customer", "积分是在哪个账号上", "积分账号就是⟦account|M 5 5 2 0 1 8⟧")
w("zh", "customer", "请问预约单号", "⟦account|幺零九 八三 二四⟧")
w("zh", "customer", "请问您的登录账号是什么", "登录账号是⟦account|hongyu_0812⟧")
w("zh", "customer", "请问是哪笔贷款", "贷款合同号⟦account|LN20240611-3357⟧")
w("zh", "agent", "我要查一下我的报修进度", "查到了 您的报修单号⟦account|BX0093318⟧ 师傅明天上午到")
w("zh", "customer", "嗯 您再说一下会员号", "⟦account|幺 五 七 七 零 两 九 三⟧ 对 就这个")
w("zh", "customer", "请问您的账户号码", "账户是⟦account|8100 2233 9071 6654⟧ 不是银行卡 是平台的余额账户")
w("en", "customer", "Can I get your order number?", "yeah it's ⟦account|114-7783092-5561⟧")
w("en", "customer", "How can I help you today?", "I need to change a booking, my booking reference is ⟦account|AB12-3456⟧")
w("en", "customer", "Do you have a confirmation number?", "confirmation number ⟦account|QX7-22M⟧")
w("en", "customer", "What's your membership number?", "⟦account|oh four four seven double nine two one⟧")
w("en", "customer", "Which policy is this about?", "policy number ⟦account|HX 559 204 118⟧")
w("en", "customer", None, "hi I need to cancel, my member ID is ⟦account|M-00458213⟧")
w("en", "agent", "Great, thanks for sorting it.", "your reference number is ⟦account|ZK4471⟧, please keep it handy")
w("en", "customer", "And your account number?", "⟦account|one two for nine oh six three eight⟧")
w("en", "customer", "Have you called about this before?", "yes the case number you gave me last time was ⟦account|CS-20391⟧")
w("en", "customer", "Can I have your loyalty number?", "it's ⟦account|double seven three one double oh five⟧")
w("en", "customer", "Can you read me the ticket number on the email?", "⟦account|T 4 4 9 R 1⟧")
w("en", "customer", "Do you have the rental agreement number?", "rental agreement ⟦account|RA 88120347⟧")
w("en", "customer", "Is this about a flight booking?", "yes, the record locator is ⟦account|L6Y9KD⟧")
w("en", "customer", "Which invoice are you disputing?", "invoice number ⟦account|INV-0093317⟧")
w("en", "customer", "Do you have the claim number?", "yes ⟦account|CLM 2026 0411 87⟧")
w("en", "customer", "Which account is it?", "the savings account ending in ⟦account|5083⟧")
w("en", "customer", "What's the account number?", "my checking account is ⟦account|0 0 3 8 7 7 1 2 9 4⟧")
w("en", "customer", "Which order is missing?", "the order was ⟦account|W 7 7 1 0 3 9 2 2⟧")
w("en", "agent", "Where's my parcel?", "I'm showing order ⟦account|6620193⟧ left the warehouse yesterday")
w("en", "customer", "Could you confirm the policy number please?", "sure it's ⟦account|to seven nine oh dash four four one⟧")
w("en", "customer", "Do you have your subscriber ID?", "subscriber ID ⟦account|XJH 448 210 973⟧")
w("en", "customer", "What's the membership number?", "membership ⟦account|GLD-55019⟧, gold tier")
w("en", "customer", "Would you like to add your frequent flyer number?", "yes please, it's ⟦account|UA 7 4 8 2 2 0 9 1⟧")
w("en", "customer", "What's the reservation code?", "⟦account|R T nine nine K⟧")
w("en", "customer", "Do you have a customer number?", "my customer number is ⟦account|C0041-877⟧")
w("en", "customer", "What is the utility account number?", "⟦account|4400 1928 337⟧")
w("en", "customer", "Can you give me the last four of the account?", "⟦account|nine eight eight one⟧")
w("en", "agent", "I never got the confirmation email.", "no problem, the reference is ⟦account|MK-93-7T⟧, I'll resend it as well")
w("en", "customer", "Which booking is it?", "booking number ⟦account|3357 8812⟧, two nights in March")
w("en", "customer", "and the order number", "it's uh ⟦account|four four oh seven two to one⟧ I think")
w("en", "customer", "Can you confirm your membership number for me?", "⟦account|eight one five five zero three⟧")

# --- Phone ----------------------------------------------------------------------------------------
w("zh", "customer", "请问您的手机号码", "我手机是⟦phone|139 2207 4518⟧")
w("zh", "customer", "请留一个联系电话", "⟦phone|幺八六 零二七三 四四九幺⟧")
w("zh", "customer", "白天怎么联系您", "打我家座机 ⟦phone|021-6488 3710⟧ 白天我妈在家")
w("zh", "customer", "是哪个号码收不到验证码", "手机尾号⟦phone|7315⟧的那个号")
w("zh", "customer", "还有其他联系人吗", "我女儿电话 ⟦phone|一五九 八八三二 零七六五⟧ 你们打她的也行 她叫⟦name|仇雅琪⟧")
w("zh", "customer", "您的联系电话是", "我电话是⟦phone|要三八 要二六零 四四七九⟧")
w("zh", "customer", "公司电话多少", "⟦phone|0755-2693 1148转八零二一⟧")
w("zh", "customer", "号码有变化吗", "换了个新号 ⟦phone|17712093348⟧ 旧的不用了")
w("zh", "customer", "请问您预留的手机号后四位", "⟦phone|两零八三⟧")
w("zh", "customer", "请问您是用哪个号码注册的", "用⟦phone|13366017289⟧这个号注册的")
w("zh", "agent", "你们店的电话我找不到", "门店电话是⟦phone|0571-8702 6631⟧ 营业时间早上九点到晚上九点")
w("en", "customer", "What's the best number to reach you?", "you can reach me on ⟦phone|(415) 908-2267⟧")
w("en", "customer", "What's the best number to call you back?", "⟦phone|seven one eight five five five oh one four two⟧")
w("en", "customer", "Is your cell still the same?", "no my cell is ⟦phone|312-669-0481⟧ now")
w("en", "customer", "Could I take a contact number?", "it's ⟦phone|07700 914 382⟧")
w("en", "customer", "Which phone is it on the account?", "the number ending in ⟦phone|3309⟧")
w("en", "customer", "Is there another contact?", "call my wife at ⟦phone|+61 412 558 093⟧, she's in Sydney")
w("en", "customer", "And a daytime number?", "⟦phone|two oh two double five six three eight one seven⟧")
w("en", "customer", "Can you confirm your phone number?", "my number is ⟦phone|6 4 6 2 2 0 1 9 9 8⟧")
w("en", "customer", "Do you have a landline?", "landline is ⟦phone|020 7946 0321⟧")
w("en", "customer", "what number should we text", "⟦phone|for one five to three oh six seven seven one⟧")

# --- ID -------------------------------------------------------------------------------------------
a = zh_id()
w("zh", "customer", "请提供一下身份证号码", f"身份证号⟦id|{a}⟧")
a = zh_id()
w("zh", "customer", "请报一下您的身份证号", f"⟦id|{group(a, (6, 8, 4))}⟧")
a = zh_id()
w("zh", "customer", "麻烦说一下证件号码", f"⟦id|{zh_say(a, liang=True)}⟧")
a = zh_id(year=1968)
w("zh", "customer", "请问身份证后六位", f"后六位是⟦id|{zh_say(a[-6:])}⟧")
a = zh_id()
w("zh", "customer", "请问投保人的身份证号", f"我爸的身份证是⟦id|{group(a, (3, 3, 4, 4, 4))}⟧ 他叫⟦name|牟福生⟧")
a = zh_id()
while a[-1] != "X":
    a = zh_id()
w("zh", "customer", "身份证最后一位是数字还是字母", f"是叉 完整的是⟦id|{zh_say(a)}⟧")
a = zh_id()
w("zh", "customer", "为了核实身份请说一下身份证后四位", f"⟦id|{a[-4:]}⟧")
a = zh_id()
w("zh", "customer", None, f"我要挂失 身份证 ⟦id|{group(a, (6, 4, 4, 4))}⟧ 名字是⟦name|景莉莉⟧")
a = zh_id()
w("zh", "customer", "请报一下证件号", f"⟦id|{zh_say(a[:6]).replace('幺', '要')} {a[6:]}⟧")
w("zh", "customer", "请提供护照号码", "护照号是⟦id|E 7 1 9 0 3 8 2 6⟧")
w("zh", "customer", "您用什么证件登记的", "港澳通行证 号码是⟦id|C38120457⟧")
a = zh_id()
w("zh", "agent", "对 是我本人", f"好的 跟您核对一下 身份证号码⟦id|{a[:6]}⟧星号星号⟦id|{a[-4:]}⟧ 对吗")
a = zh_id()
w("zh", "customer", "请问被保险人的身份证号", f"⟦id|{a[:10]} {a[10:]}⟧")
a = zh_id()
w("zh", "customer", "身份证号码多少", f"嗯 ⟦id|{zh_say(a, yao=False)}⟧")
a = zh_id()
w("zh", "customer", "麻烦再报一下身份证尾号", f"尾号⟦id|{zh_say(a[-4:], liang=True)}⟧")
w("en", "customer", "Can I have your Social Security number?", f"⟦id|{ssn()}⟧")
w("en", "customer", "Can you verify the last four of your social?", "⟦id|four four seven one⟧")
a = ssn()
w("en", "customer", "For verification, your SSN please.", f"it's ⟦id|{en_say(a.replace('-', ' '))}⟧")
w("en", "customer", "What's the passport number?", "passport number ⟦id|K4490127⟧")
w("en", "customer", "Last four of the social on the account?", "it's ⟦id|8 2 0 3⟧")
a = ssn()
w("en", "customer", None, f"they asked for my social, it's ⟦id|{a.replace('-', ' ')}⟧, is that safe?")
w("en", "customer", "And the passport you'll travel on?", "⟦id|five three three oh nine one eight two four⟧, it's a US passport")
w("en", "customer", "Your national insurance number please.", "⟦id|QH 47 19 82 C⟧")
a = ssn()
w("en", "customer", "Can you read me the SSN on the form?", f"sure, ⟦id|{a}⟧")
w("en", "customer", "last four of the social security number", "⟦id|six six oh nine⟧")
w("en", "customer", "And your passport number for the booking?", "it's ⟦id|5 6 1 2 0 4 4 8 7⟧, British")

# --- Card -----------------------------------------------------------------------------------------
c = luhn("622848", 19)
w("zh", "customer", "请报一下银行卡号", f"卡号是⟦card|{group(c, (4, 4, 4, 4))}⟧")
c = luhn("621700", 19)
w("zh", "customer", "请问是哪张卡", f"⟦card|{c}⟧ 建行的")
w("zh", "customer", "请问信用卡尾号", "尾号⟦card|幺二零八⟧")
c = luhn("625807", 16)
w("zh", "customer", "请提供一下卡号", f"⟦card|{zh_say(c, liang=True)}⟧")
w("zh", "customer", "被盗刷的是哪张卡", "就是尾号是⟦card|5537⟧的那张信用卡")
c = luhn("436742", 16)
w("zh", "customer", "还款卡号是多少", f"⟦card|{group(c, (4, 4, 4, 4))}⟧ 户名是⟦name|亢永辉⟧")
c = luhn("622202", 19)
w("zh", "customer", "工资卡卡号", f"⟦card|{zh_say(c[:8]).replace('幺', '要')} {c[8:]}⟧")
w("zh", "customer", "请问绑定的银行卡后四位", "后四位⟦card|两八两六⟧")
c = luhn("518710", 16)
w("zh", "customer", None, f"我的卡⟦card|{group(c, (4, 4, 4, 4), '-')}⟧被冻结了 能帮我看看吗")
c = luhn("622588", 16)
w("zh", "agent", "对 是那张招行的", f"跟您确认 卡号⟦card|{c[:4]}⟧ 中间省略 尾号⟦card|{c[-4:]}⟧")
w("zh", "customer", "请问您的信用卡卡号", "⟦card|六二二五 八八幺幺 零三四七 二九九八⟧")
c = luhn("603367", 19)
w("zh", "customer", "请问退款退到哪张卡", f"退到我的储蓄卡 ⟦card|{c}⟧")
c = luhn("4", 16)
w("en", "customer", "Can I have the long number on the card?", f"⟦card|{group(c, (4, 4, 4, 4))}⟧")
c = luhn("5", 16)
w("en", "customer", "What card would you like to use?", f"my mastercard ⟦card|{c}⟧")
w("en", "customer", "Last four of the card please.", "⟦card|six two two oh⟧")
c = luhn("37", 15)
w("en", "customer", "Can you read me the card number?", f"it's an amex, ⟦card|{group(c, (4, 6, 5))}⟧")
w("en", "customer", "Which card was charged?", "the visa ending in ⟦card|0914⟧")
c = luhn("4", 16)
w("en", "customer", "The card number please, slowly.", f"⟦card|{en_say(group(c, (4, 4, 4, 4)))}⟧")
w("en", "customer", "Is it the same card as last time?", "no, the new one ends ⟦card|double three eight one⟧")
c = luhn("6011", 16)
w("en", "customer", "And the card number?", f"⟦card|{group(c, (4, 4, 4, 4))}⟧, expiry is next year")
w("en", "customer", "Which debit card is lost?", "the one ending ⟦card|for seven seven to⟧")
c = luhn("5", 16)
w("en", "customer", None, f"I want to update the card on file to ⟦card|{group(c, (4, 4, 4, 4), '-')}⟧")
w("en", "customer", "Card number?", "⟦card|4 1 2 7 then 8 8 3 0 then 1 9 5 5 then 6 0 2 4⟧")
w("en", "agent", "Yes please use my card.", "I'll charge the card ending ⟦card|7742⟧, is that right?")
c = luhn("4", 16)
w("en", "customer", "Go ahead with the card number.", f"uh ⟦card|{c[:8]} {c[8:]}⟧")

# --- Address --------------------------------------------------------------------------------------
w("zh", "customer", "请问您的收货地址", "⟦address|浙江省绍兴市越城区府山街道胜利西路118号3幢2单元601室⟧")
w("zh", "customer", "师傅上门的地址是", "⟦address|成都市武侯区玉林北路7号附2号⟧ 就在小区门口那个")
w("zh", "customer", "请问地址要改成哪里", "改成⟦address|南京市鼓楼区汉中门大街幺四五号 九栋 三零二⟧")
w("zh", "customer", "您家在哪个小区", "⟦address|金域蓝湾小区 十二栋 一单元 二零幺⟧")
w("zh", "customer", "账单寄到哪里", "寄到⟦address|山东省潍坊市奎文区东风东街三六八号⟧ 邮编⟦address|261041⟧")
w("zh", "customer", "请问具体地址", "⟦address|河北省保定市清苑区东闾乡南王庄村⟧ 村口第三家")
w("zh", "customer", "要寄到哪里", "⟦address|广州市天河区体育西路191号中石化大厦B座1507⟧")
w("zh", "customer", "您现在住的地址", "⟦address|西安市雁塔区电子二路 幺二号院 四号楼⟧")
w("zh", "customer", None, "我的快递本来应该送到⟦address|长沙市岳麓区麓谷大道627号⟧ 结果被退回去了")
w("zh", "agent", "对 还是那个地址", "好的 地址是⟦address|昆明市盘龙区北京路九二六号同德广场二期⟧ 没错吧")
w("en", "customer", "What's the delivery address?", "⟦address|4417 Willowmere Lane⟧, ⟦address|Apt 3B⟧, Tucson")
w("en", "customer", "And your postcode?", "⟦address|LS6 2QF⟧")
w("en", "customer", "Where should we send the replacement?", "⟦address|twenty two Ashby Road⟧, ⟦address|flat nine⟧")
w("en", "customer", "What's the ZIP code?", "⟦address|nine four one one oh⟧")
w("en", "customer", "Where is the property?", "it's ⟦address|1286 Old Mill Road, Unit 14⟧ in Burlington, ⟦address|VT 05401⟧")
w("en", "customer", "Can you confirm your billing address?", "⟦address|PO Box 3381⟧ Anchorage ⟦address|99510⟧")
w("en", "customer", "And the address for the technician?", "⟦address|88 Kingfisher Close⟧, ⟦address|BS16 4TA⟧")
w("en", "customer", None, "I moved last month, the new place is ⟦address|703 East Ninth Street⟧")

# --- E-mail ---------------------------------------------------------------------------------------
w("zh", "customer", "请问您的邮箱", "⟦email|zhaoyun_1988@163.com⟧")
w("zh", "customer", "发票发到哪个邮箱", "⟦email|幺三八四四零二七七艾特qq点com⟧")
w("zh", "customer", "请留一个电子邮箱", "⟦email|qiyanan 艾特 foxmail 点 com⟧ 全是小写")
w("zh", "customer", "邮箱地址是什么", "我的邮箱是⟦email|lin.xiaoou@sina.cn⟧")
w("zh", "customer", "请说一下邮箱", "⟦email|k u a i p i n g 艾特 一二六 点 com⟧")
w("zh", "customer", "电子保单发到哪里", "发到我工作邮箱 ⟦email|wangqiang@huaxin-tech.com.cn⟧")
w("zh", "customer", "邮箱是多少", "⟦email|xiaomao下划线2017at163点com⟧")
w("zh", "agent", "对 就发那个邮箱", "好的 我们会发到⟦email|gongsun.yi@outlook.com⟧ 请注意查收")
w("zh", "customer", "请问注册邮箱", "是⟦email|wu_yuxin@hotmail.com⟧ 下划线那个")
w("zh", "customer", "那你们把单据发我邮箱吧", "⟦email|shen_tu_jia@yeah.net⟧")
w("zh", "customer", "邮箱能再确认一下吗", "⟦email|ouyang 点 mei 艾特 gmail 点 com⟧")
w("zh", "customer", "登录用的邮箱", "⟦email|LZ1990@126.com⟧ L是大写")
w("zh", "customer", "您的邮箱", "⟦email|cuihao at 139 dot com⟧")
w("en", "customer", "What's your email address?", "⟦email|adaeze.nwachukwu@gmail.com⟧")
w("en", "customer", "Could you spell out the email?", "⟦email|l dot haugland at outlook dot com⟧")
w("en", "customer", "Where should we send the receipt?", "send it to ⟦email|graciela_q77@yahoo.com⟧")
w("en", "customer", "And your email?", "⟦email|tariq at siddiqui law dot co dot uk⟧")
w("en", "customer", "What email is on the account?", "it's ⟦email|kwame.asante.sr@aol.com⟧")
w("en", "customer", "Email for the confirmation?", "⟦email|k underscore mori at icloud dot com⟧")
w("en", "customer", "Can you confirm the email we have?", "no that's old, use ⟦email|eilidh.macleod@protonmail.com⟧")
w("en", "customer", "What's the best email to reach you?", "⟦email|dvolkov eighty four at gmail dot com⟧")
w("en", "agent", "Just send it to my email.", "sure, I have ⟦email|nguyen.lan@fastmail.fm⟧ on file, is that still right?")
w("en", "customer", "and the email", "⟦email|b tran at hotmail dot com⟧ b as in boy")
w("en", "customer", "What email address did you register with?", "⟦email|ortega.ruiz.g@correo.mx⟧")
w("en", "customer", "Your email please.", "⟦email|ilse-vdberg@ziggo.nl⟧")
w("en", "customer", "Where should the statements go?", "⟦email|pemberton.family@btinternet.com⟧")

# --- Date of birth --------------------------------------------------------------------------------
w("zh", "customer", "请问您的出生日期", "⟦dob|1987年3月12号⟧")
w("zh", "customer", "请问出生年月", "⟦dob|九二年五月⟧")
w("zh", "customer", "为了核实身份 请说一下您的生日", "我是⟦dob|一九七九年十一月二十三号⟧出生的")
w("zh", "customer", "被保险人出生日期", "我妈是⟦dob|一九五六年腊月初八⟧的生日 阳历我不记得了")
w("zh", "customer", "请问孩子的出生日期", "⟦dob|2019年7月4日⟧ 是个男孩")
w("zh", "customer", "您的生日是哪天", "⟦dob|八月十五⟧ 中秋那天生的")
w("zh", "customer", "请问出生日期", "⟦dob|幺九九零 幺零 零三⟧")
w("zh", "customer", "请说一下投保人的出生年份", "⟦dob|1964年⟧的 属龙")
w("zh", "customer", "请核对一下出生日期", "是⟦dob|2001年2月28号⟧ 不是29号")
w("zh", "customer", "您的出生日期是", "⟦dob|19830617⟧")
w("zh", "customer", "请问您的生日", "⟦dob|零五年九月⟧ 具体哪天我要查一下")
w("zh", "agent", "嗯 是我", "跟您核对一下 您的出生日期是⟦dob|1975年10月6日⟧ 对吗")
w("zh", "customer", "请问您多大年纪", "我是⟦dob|六八年⟧生的 今年五十八了")
w("en", "customer", "Can I have your date of birth?", "⟦dob|March 14th 1979⟧")
w("en", "customer", "And your DOB?", "⟦dob|twelve oh three eighty eight⟧")
w("en", "customer", "Date of birth for verification please.", "⟦dob|04/22/1991⟧")
w("en", "customer", "What's the policyholder's date of birth?", "my dad was born ⟦dob|the ninth of January nineteen fifty two⟧")
w("en", "customer", "When was your son born?", "⟦dob|October 2015⟧, so he's eleven")
w("en", "customer", "And your birthday?", "⟦dob|Valentine's Day 1986⟧, ⟦dob|February fourteenth⟧")
w("en", "customer", "Date of birth?", "⟦dob|1 7 0 6 1 9 7 3⟧, day month year")
w("en", "customer", "Can you confirm your date of birth?", "⟦dob|the 3rd of August 1990⟧")
w("en", "customer", "What's your birth date?", "⟦dob|nineteen ninety four, may second⟧")
w("en", "agent", "Yes that's me.", "I just need to confirm, your date of birth is ⟦dob|June 30 1968⟧?")
w("en", "customer", "What year were you born?", "⟦dob|1959⟧")
w("en", "customer", "The date of birth on the account?", "⟦dob|eleven twenty nine two thousand⟧")
w("en", "customer", "The child's date of birth?", "she was born ⟦dob|2 February 2020⟧")

# --- Mixed lines: several kinds in one turn -------------------------------------------------------
w("zh", "customer", "请您核对一下身份信息",
  f"我叫⟦name|蓟红英⟧ 身份证⟦id|{zh_id()}⟧ 手机⟦phone|15803317726⟧")
w("zh", "customer", "请问订单是谁下的",
  "是我表哥⟦name|殳文涛⟧下的单 订单号⟦account|7730 2219 8804⟧")
w("zh", "customer", "请问您要办理什么业务",
  "我想把保单⟦account|CP0026 5531 78⟧的受益人改成我儿子⟦name|鄂子昂⟧")
w("zh", "agent", "是的 我昨天下的单",
  "⟦name|揭⟧女士 您昨天那笔订单⟦account|幺幺八 四零 六二 七三⟧已经出库了")
w("zh", "customer", "请说一下会员姓名和会员号", "⟦name|滑晓静⟧ ⟦account|两七七零九幺⟧")
w("zh", "customer", "还需要登记什么吗",
  "紧急联系人写我哥⟦name|帅国平⟧ 电话⟦phone|幺三九 六六零二 八八七三⟧")
w("en", "customer", "Can I have your name and order number?",
  "⟦name|Imogen Castellanos⟧, order ⟦account|88-41920-7⟧")
w("en", "customer", "Who's the booking for?",
  "me and my mum, ⟦name|Farida Nasser⟧, reference ⟦account|PX4-R8Q⟧")
w("en", "customer", "Can you confirm your details?",
  "sure, ⟦name|Callum Ferreira⟧, born ⟦dob|the 2nd of May 1984⟧, membership ⟦account|four four two nine oh one⟧")
w("en", "agent", "That's right, I want to upgrade.",
  "alright Mr ⟦name|Abernathy⟧, I'm looking at policy ⟦account|HM-7719-2024⟧ now")
w("en", "customer", "And who is the second driver?",
  "my sister, no sorry, my brother-in-law ⟦name|Wiremu Tane⟧, ⟦name|W-I-R-E-M-U⟧")
w("en", "customer", "Who should the refund go to?",
  "to ⟦name|Agnieszka⟧, the account ending ⟦account|5520⟧")
w("zh", "customer", "还有别的吗", "对了 我老婆⟦name|诸葛梅⟧的会员号是⟦account|幺八八 零零 三六⟧ 她的积分也帮我查一下")
w("zh", "customer", "请问您的姓名和预订号", "⟦name|长孙澜⟧ 预订号⟦account|YD-6615-02⟧")

# --- Hard negatives: no PII, though close ---------------------------------------------------------
N = [
    ("zh", "agent", None, "您好 工号1234的客服小王很高兴为您服务"),
    ("zh", "agent", "请问你是哪位", "我是这边的客服专员小周 工号是八八零二"),
    ("zh", "customer", "请问这笔扣款是多少", "扣了我三千六百八十八块 两笔都是一千八百四十四"),
    ("zh", "customer", "请问您订的是哪趟车", "G1287次 早上八点零五分的那趟"),
    ("zh", "customer", "请问是哪个航班", "CA1832 从北京飞杭州的"),
    ("zh", "customer", "您的手机是什么型号", "华为Mate 60 Pro 买了快一年了"),
    ("zh", "customer", "请问您买了几件", "买了十二件 退了三件 还剩九件"),
    ("zh", "customer", "您是在哪个门店买的", "就在解放路上那家店 没记门牌号"),
    ("zh", "customer", "请问您想预约哪天", "下周三 十二月九号 下午两点到四点都可以"),
    ("zh", "agent", "这个套餐多少钱一个月", "这个套餐每月一百二十九元 包含三十G流量和五百分钟通话"),
    ("zh", "customer", "还有什么问题吗", "我看新闻说马云也用你们家的产品 是真的吗"),
    ("zh", "customer", "请问您是通过什么渠道了解到我们的", "是在京东上看到的 阿里那边也有卖"),
    ("zh", "agent", "我的快递什么时候到", "预计三到五个工作日送达 最晚十二月八号"),
    ("zh", "customer", "冰箱是什么型号", "型号是BCD-521WDPW 对开门的"),
    ("zh", "customer", "您住几楼", "住在十八楼 电梯经常坏"),
    ("zh", "agent", "怎么收费的", "上门费五十元 配件另算 保修期内免费"),
    ("zh", "customer", "请问是哪个城市", "在郑州 金水区那边"),
    ("zh", "customer", "上次是谁接的电话", "一个姓刘的客服 说话挺客气的"),
    ("zh", "agent", None, "感谢您的耐心等待 我是七号坐席 有什么可以帮您"),
    ("zh", "customer", "您的宽带多少兆的", "三百兆的 两年前装的"),
    ("zh", "customer", "请问您要几间房", "两间大床房 住三晚 二十号入住"),
    ("zh", "agent", "我上次充的钱到账了吗", "您十一月二十八号充值的两百元已经到账了"),
    ("zh", "customer", "您觉得我们的服务怎么样", "还行吧 打个八分 等了差不多二十分钟"),
    ("zh", "customer", "您是要换什么配件", "换个滤芯 型号好像是RO-400G的"),
    ("zh", "customer", "请问是哪一期的账单", "十月份的账单 账单日是每月五号"),
    ("zh", "agent", "你们的投诉电话是多少", "您直接说就可以 我这边就能帮您登记投诉"),
    ("zh", "customer", "还有别的问题吗", "没有了 就是你们那个APP老是闪退 版本是8.3.1"),
    ("zh", "customer", "请问您几点方便", "晚上七点以后吧 白天要上班"),
    ("zh", "customer", "您是从哪里出发", "从虹桥二号航站楼出发 坐地铁十号线"),
    ("zh", "agent", "我的那个优惠券怎么用不了", "这张满三百减五十的券要满三百元才能用 您现在是二百八十元"),
    ("zh", "customer", "请问家里几口人", "五口人 两个老人两个孩子"),
    ("zh", "customer", "请问是哪家银行", "工商银行 就是工行 还有一张招商的"),
    ("zh", "customer", "您要寄到哪个城市", "寄到杭州 具体地址我等下发短信"),
    ("en", "agent", None, "Thank you for calling, my name is Sarah and I'll be helping you today."),
    ("en", "agent", "Who am I talking to?", "This is Marcus, agent ID 3068, from the billing team."),
    ("en", "customer", "How much was the charge?", "it was two hundred and forty nine ninety nine, twice"),
    ("en", "customer", "Which flight are you on?", "BA 287 to San Francisco, departing at 11:40"),
    ("en", "customer", "Which train was it?", "the 7:15 from Leeds, service 1P23"),
    ("en", "customer", "What model is the laptop?", "it's an XPS 15 9530, bought in March"),
    ("en", "customer", "How many did you order?", "I ordered twenty four cans but only eighteen came"),
    ("en", "customer", "Which store did you visit?", "the one on Main Street, next to the pharmacy"),
    ("en", "customer", "When is the booking for?", "December 19th, checking out on the 23rd"),
    ("en", "agent", "How much is the upgrade?", "the upgrade is thirty five dollars a month for the first 12 months"),
    ("en", "customer", "Anything else?", "I saw Taylor Swift advertising your app, is that real?"),
    ("en", "customer", "Who did you speak to before?", "some guy called Kevin, on your side, he said he'd call back"),
    ("en", "customer", "How long have you been waiting?", "forty five minutes on hold, this is ridiculous"),
    ("en", "customer", "Which company is the transfer from?", "from Barclays, and the other one was Wells Fargo"),
    ("en", "agent", "When will it arrive?", "it's scheduled for delivery between 9 and 1 on Thursday"),
    ("en", "customer", "What size did you order?", "size 10 in the blue, item came in a 12"),
    ("en", "customer", "What's the room number you stayed in?", "I don't remember, it was on the fourth floor"),
    ("en", "customer", "Which plan are you on?", "the unlimited 55 plan, with two lines"),
    ("en", "agent", "Can I speak to a manager?", "Of course, I'll transfer you to my supervisor Linda, one moment"),
    ("en", "customer", "What error do you see?", "error code 0x80070005 every time I open it"),
    ("en", "customer", "What time did it happen?", "around 3:45 in the afternoon on the 14th"),
    ("en", "customer", "How old is the boiler?", "about 12 years, it's a Worcester 30i"),
    ("en", "agent", "Is the sale still on?", "yes, 20 percent off until the 31st, code applies at checkout"),
    ("en", "customer", "Which city are you in?", "Manchester, near the city centre"),
    ("en", "customer", "How many nights?", "three nights, two adults and one child"),
    ("en", "agent", None, "Hi, you're speaking with Priyanka from customer care, staff number 20931."),
    ("en", "customer", "What's the temperature set to?", "it's on 72 but the room feels like 80"),
    ("en", "customer", "Where are you flying from?", "Heathrow terminal 5, gate B36"),
    ("en", "customer", "How much data did you use?", "like 14.6 gigabytes, which can't be right"),
    ("en", "agent", "What's your opening hours?", "we're open 8 to 8 weekdays and 10 to 4 on Saturdays"),
    ("en", "customer", "Who recommended us?", "I read about you in the New York Times"),
    ("en", "customer", "Which version of the app?", "version 4.12.0 on an iPhone 13"),
    ("en", "customer", "What was the date of the stay?", "the weekend of the 7th of November, two nights"),
    ("zh", "customer", "您是什么时候发现的", "大概上周五晚上十点多 看到扣了三笔"),
    ("zh", "agent", "你叫什么名字 我要投诉你", "我是客服小李 工号二零四七 您的意见我会如实记录"),
    ("zh", "customer", "请问是哪个型号的空调", "格力的 一点五匹 KFR-35GW"),
]
for lang, speaker, question, text in N:
    neg(lang, speaker, question, text)

# --- Output ---------------------------------------------------------------------------------------
ids = [it["id"] for it in items]
if len(ids) != len(set(ids)):
    raise SystemExit("an id is used twice")
for it in items:
    for p in it["pii"]:
        if it["text"][p["start_char"]:p["end_char"]] != p["text"]:
            raise SystemExit(f"{it['id']}: span {p['text']!r} not at its offsets")
out = HERE / "pii_heldout3.jsonl"
with out.open("w", encoding="utf-8") as f:
    for it in items:
        f.write(json.dumps(it, ensure_ascii=False) + "\n")
counts = {}
for it in items:
    for p in it["pii"]:
        counts[(p["type"], it["lang"])] = counts.get((p["type"], it["lang"]), 0) + 1
print(f"{out.name}: {len(items)} utterances, {n_neg} written hard negatives")
for k in sorted(counts):
    print(f"  {k[0]}/{k[1]}: {counts[k]}")
