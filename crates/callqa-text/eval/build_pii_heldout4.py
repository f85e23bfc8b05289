"""Build crates/callqa-text/eval/pii_heldout4.jsonl: a fourth, fresh held-out PII set (issue 12).

Run at development time only (the product and its tests read the committed JSONL):

    python3 crates/callqa-text/eval/build_pii_heldout4.py [../shared/data/dialog_real]

`pii_heldout.jsonl`, `pii_heldout2.jsonl` and `pii_heldout3.jsonl` have all been scored and looked
at while the redactor was being fixed, so none counts as held out any more. This set replaces them
for that purpose. It was labelled by reading the text only: the redactor was neither read nor run
on any of it, and no redactor output was seen. Its rules must not be tuned against it. Every line
has the format of `pii_eval.jsonl` with `split: "heldout4"`. Ids are
`<source>:<dialog_id>:<turn>` for corpus lines, `written:<n>` for written cases and
`written:neg<n>` for the written hard negatives (no PII, but close). The output is byte-for-byte
the same on every run (seeded generators, no set iteration).

Labelling rules: exactly those in the header of `build_pii_heldout.py` (name, phone, id, card,
account, address, email, dob; the agent's own name and staff number, businesses, venues and
public figures are not names; train and flight numbers, models, amounts and quantities are not
accounts; a street or city alone is not an address; only a private person's birth date is a dob).
As in the third set: how a name is written out ("木子李", "口天吴", "with two i's") is not labelled
again, the name itself and a letter-by-letter spelling ("M-C-C-A-R-T-H-Y") are; an extension said
after a phone number is its own span when words stand between them. A parcel tracking number
identifies the customer's order and is labelled account; a masked number read back by the agent
("138****5521") is labelled with what is left of it. A number said in pieces with a pause or a
correction between them ("呃", "sorry") is one span per piece; a full name, or an address with its
town and postcode, said in one go is one span. This builder places each span at its offsets,
checks that the labelled text sits there and that no two spans of a line overlap.

Sources (each line carries `source` and `licence`):
- Corpus lines from `../shared/data/dialog_real` (licences as its README states them). Samples are
  seeded (random.Random(4800 + i)) and drawn only from dialogues that none of `pii_eval.jsonl`,
  `pii_heldout.jsonl`, `pii_heldout2.jsonl` and `pii_heldout3.jsonl` uses (any line of theirs with
  an id `<source>:<dialog_id>:<turn>` excludes the whole dialogue). Per corpus, N lines with a cue
  (digits, reference, postcode, phone, address, name, e-mail, birth, account, card or membership
  words) and M other lines:
  - SGD (`sgd_en.jsonl.gz`, CC BY-SA 4.0; the lines taken from it stay CC BY-SA 4.0): 22 + 6.
  - MultiWOZ 2.1 val/test (`multiwoz21_valtest_en.jsonl.gz`, MIT / CC BY 4.0): 22 + 6.
  - CrossWOZ val/test (`crosswoz_valtest_zh.jsonl.gz`, Apache-2.0): 22 + 6.
  - KdConv dev/test (`kdconv_devtest_zh.jsonl.gz`, Apache-2.0): 8 + 4.
  - Taskmaster-1/2/3 samples (`taskmaster_samples_en.jsonl.gz`, CC BY 4.0), ABCD sample
    (`abcd_sample_en.jsonl.gz`, MIT) and Harper Valley Bank excerpt
    (`harper_valley_bank_excerpt_en.jsonl.gz`, Apache-2.0 per the repo's LICENSE; an older
    provenance note says CC BY 4.0, both permissive): their licences allow committing lines, but
    every one of their dialogues is already in an earlier set, so none is left to use. They are
    listed so that the builder says so (0 lines each).
  Not used: the Taobao e-commerce sample (no licence stated) and STC-3 (non-commercial only).
- Written call-centre cases (this file, licence "callqa", as callqa's own), Mandarin and English,
  written fresh for this set from the entity list of issue 12, not from the redactor's output and
  not from the written cases of the earlier builders. The weight is on names (common surnames
  mostly, some rare and compound ones: 佘, 蒯, 亓, 笪, 禚, 欧阳, 司马, 上官; names after 贵姓/称呼/
  "can I have your name", account holders, relatives, payees and beneficiaries, spelled letters,
  names of many origins) and account/order/member/policy/booking/claim numbers (alphanumeric,
  digit by digit, 幺/两/"oh"/"double", ASR-garbled "for"/"to", corrections, bare answers whose
  kind only the `question` shows). Resident IDs (valid GB 11643 check character), card numbers
  (Luhn-valid), mobiles and order numbers come from a seeded generator (random.Random(4850));
  each is written as digits, in groups, spoken or ASR-garbled. The hard negatives hold amounts,
  times, flight and train numbers, models, quantities, streets and districts alone, the agent's
  own name and staff number, public figures, companies and dates of bookings.
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
SPLIT = "heldout4"

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
for earlier in ("pii_eval.jsonl", "pii_heldout.jsonl", "pii_heldout2.jsonl", "pii_heldout3.jsonl"):
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
    ("sgd_en.jsonl.gz", "sgd", "CC BY-SA 4.0", "en", CUE_EN, 22, 6),
    ("taskmaster_samples_en.jsonl.gz", "taskmaster", "CC BY 4.0", "en", CUE_EN, 10, 4),
    ("multiwoz21_valtest_en.jsonl.gz", "multiwoz21", "MIT", "en", CUE_EN, 22, 6),
    ("crosswoz_valtest_zh.jsonl.gz", "crosswoz", "Apache-2.0", "zh", CUE_ZH, 22, 6),
    ("kdconv_devtest_zh.jsonl.gz", "kdconv", "Apache-2.0", "zh", CUE_ZH, 8, 4),
    ("abcd_sample_en.jsonl.gz", "abcd", "MIT", "en", CUE_EN, 10, 4),
    ("harper_valley_bank_excerpt_en.jsonl.gz", "hvb", "Apache-2.0", "en", CUE_EN, 10, 4),
]

# Labels per "dialog_id:turn", by reading the sampled lines; a sampled line not named here has no
# PII. SGD's and CrossWOZ's venue addresses and phone numbers are labelled (the redactor cannot
# know whose number it is); MultiWOZ's booking references are accounts and its postcodes
# addresses; train numbers, prices, public figures' dates (KdConv) and venue names are not.
LABELS = {
    "sgd-train-49_00021:21": [("phone", "+1 404-745-5000")],
    "sgd-train-61_00075:5": [("address", "1785 san carlos ave # 3")],
    "sgd-train-103_00125:17": [("phone", "+1 212-235-1111")],
    # A payee the customer named.
    "sgd-train-40_00032:2": [("name", "Abhinav")],
    "sgd-train-99_00026:17": [("address", "2367 Shattuck Avenue")],
    "sgd-train-43_00096:7": [("address", "791 Auzerais Avenue"), ("phone", "408-295-6459")],
    "sgd-test-32_00113:7": [("address", "1241 Arnold Drive")],
    "sgd-test-18_00055:21": [("phone", "707-696-6978")],
    "sgd-train-115_00082:21": [("address", "1150 Solano Avenue")],
    "sgd-train-86_00055:7": [("address", "1435 Creekside Drive")],
    "multiwoz21-test-PMUL3336:9": [("phone", "01223244955"), ("address", "cb58rg")],
    "multiwoz21-val-PMUL3378:13": [("account", "Z6DSQLFY")],
    "multiwoz21-val-PMUL2617:9": [("account", "7CIDI5RH")],
    "multiwoz21-val-MUL1247:5": [("phone", "01223350059"), ("address", "74 chesterton road")],
    "multiwoz21-val-PMUL4687:17": [("account", "BLG9K1BW")],
    "multiwoz21-val-PMUL2260:15": [("phone", "01223334900")],
    "multiwoz21-val-MUL1651:21": [("account", "PURBIHT2")],
    "multiwoz21-test-MUL0080:1": [("address", "156 Chesterton Road")],
    "multiwoz21-val-PMUL2724:7": [("account", "308E0XXQ")],
    "crosswoz-test-8111:1": [("address", "北京市密云县新城子乡遥桥峪村")],
    "crosswoz-val-11260:11": [("address", "西城区前门大街大栅栏街6号")],
    "crosswoz-val-8502:9": [("phone", "010-85007938")],
    "crosswoz-val-3689:23": [("phone", "010-84162288")],
    "crosswoz-test-10091:21": [("address", "北京昌平区建材城西路87号院4号楼")],
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
    chosen = pick(rows, cue, n_cue, n_other, 4800 + i)
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
rng = random.Random(4850)

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

# --- Written cases: Mandarin names ----------------------------------------------------------------
W = []  # (lang, speaker, question, marked)
W += [
    ("zh", "customer", "您好 请问怎么称呼", "我姓⟦name|王⟧ 三横王"),
    ("zh", "customer", "请问您贵姓", "免贵姓⟦name|李⟧ 木子李"),
    ("zh", "customer", "请问机主姓名", "⟦name|张秀英⟧ 是我妈妈的号 我帮她办"),
    ("zh", "customer", None, "喂你好 我是⟦name|刘海峰⟧ 上周打过电话说那个退款的事"),
    ("zh", "agent", "我想查一下我的快递", "好的⟦name|陈⟧女士 麻烦您稍等一下我这边查询"),
    ("zh", "customer", "请问您的全名是", "⟦name|欧阳倩⟧ 欧洲的欧 太阳的阳 倩是单人旁一个青"),
    ("zh", "customer", "请问持卡人姓名", "持卡人是我爱人 叫⟦name|赵立平⟧"),
    ("zh", "agent", "喂 是的", "请问是⟦name|杨⟧先生吗 这边是物业客服 您家的水表需要更换"),
    ("zh", "customer", "户主是哪位", "户主写的是我父亲⟦name|黄德贵⟧ 他去年过世了 现在想过户到我名下"),
    ("zh", "customer", "请问怎么称呼您", "叫我小⟦name|周⟧就行"),
    ("zh", "customer", None, "我叫⟦name|司马云帆⟧ 对 复姓司马"),
    ("zh", "customer", "收款人的姓名是", "⟦name|吴桂兰⟧ 口天吴 桂花的桂 兰花的兰"),
    ("zh", "customer", "请问您是本人吗", "不是 我是他儿子 本人是⟦name|徐长海⟧ 他耳朵不太好"),
    ("zh", "agent", "我那个保险到底赔不赔", "⟦name|孙⟧女士您别着急 理赔材料我们已经收到了"),
    ("zh", "customer", "请问您贵姓", "姓⟦name|佘⟧ 人字头下面一个示字的那个佘"),
    ("zh", "customer", None, "你好我是⟦name|李娜⟧ 不是打网球那个啊 就是想问一下我那个积分"),
    ("zh", "customer", "请问预订人姓名", "写我老公的名字吧 ⟦name|刘建军⟧"),
    ("zh", "customer", "那您怎么称呼", "我姓⟦name|蒯⟧ 草字头那个 一般人都不认识"),
    ("zh", "agent", "对对 是我", "好的⟦name|张⟧先生 跟您核对一下 您是要办理停机保号对吧"),
    ("zh", "customer", "请问联系人是谁", "联系人填我女儿 ⟦name|陈思琪⟧ 电话我等下报给你"),
    ("zh", "customer", None, "嗯 本人⟦name|王磊⟧ 身份证我带着呢"),
    ("zh", "customer", "请问怎么称呼", "⟦name|上官⟧ 上官婉儿那个上官 名字叫⟦name|明月⟧"),
    ("zh", "customer", "您说的是哪位员工", "不是你们员工 是我邻居⟦name|老马⟧ 他帮我代收的包裹"),
    ("zh", "customer", "请问投保人姓名", "投保人⟦name|亓红梅⟧ 亓是一个二下面一个几字的亓"),
    ("zh", "agent", "我是想问宽带的事", "⟦name|李⟧阿姨您好 您的宽带是下个月十号到期"),
    ("zh", "customer", "请问转给谁", "转给我弟弟 ⟦name|王小兵⟧"),
    ("zh", "customer", "好的请问您怎么称呼", "嗯⟦name|刘⟧ 刘备的刘"),
    ("zh", "customer", "请问被保险人是", "被保险人是我孩子 ⟦name|张子涵⟧ 今年七岁"),
    ("zh", "customer", None, "我是⟦name|笪⟧ 竹字头那个笪 ⟦name|笪文杰⟧ 我要投诉你们的快递员"),
    ("zh", "customer", "请问开户人是谁", "开户人⟦name|陈国栋⟧ 是我公公 他委托我来问的"),
    ("zh", "agent", "嗯 我在听", "⟦name|何⟧小姐 您之前反映的问题我们已经升级处理了"),
    ("zh", "customer", "请问您贵姓", "⟦name|禚⟧ 示字旁一个卓越的卓"),
    ("zh", "customer", "收件人写谁", "收件人⟦name|林晓燕⟧ 双木林 春晓的晓 燕子的燕"),
]
# --- English names ----------------------------------------------------------------------------------
W += [
    ("en", "customer", "Can I have your name please", "yeah it's ⟦name|David Thompson⟧"),
    ("en", "customer", "And who am I speaking with today", "this is ⟦name|Priya Raghunathan⟧ i'll spell the last name ⟦name|R-A-G-H-U-N-A-T-H-A-N⟧"),
    ("en", "customer", None, "hi my name is ⟦name|Kevin O'Sullivan⟧ i'm calling about a charge on my bill"),
    ("en", "agent", "yes that's me", "thank you ⟦name|Mrs Delgado⟧ i can see your account here"),
    ("en", "customer", "Could you spell your first name for me", "sure ⟦name|S-I-O-B-H-A-N⟧ it's Irish"),
    ("en", "customer", "Who is the account holder", "the account holder is my husband ⟦name|Tomasz Nowak⟧"),
    ("en", "customer", "What name is the booking under", "it should be under ⟦name|Yamamoto⟧"),
    ("en", "agent", "okay go ahead", "alright ⟦name|Mr Okafor⟧ i just need to verify a couple of things"),
    ("en", "customer", "Who would you like to send the payment to", "to my landlord ⟦name|Gary Whitfield⟧"),
    ("en", "customer", None, "this is ⟦name|Maria⟧ i called yesterday and spoke to someone about my refund"),
    ("en", "customer", "Can I get the name of the cardholder", "⟦name|Fatima Al-Sayed⟧ that's my mother i'm helping her with this"),
    ("en", "customer", "and your last name", "⟦name|Nguyen⟧ N G U Y E N"),
    ("en", "agent", "um yeah i'm still here", "great ⟦name|Ms Brennan⟧ your new card will arrive in five to seven days"),
    ("en", "customer", "Can I have your full name", "⟦name|Jennifer Anne Kowalczyk⟧"),
    ("en", "customer", None, "yeah hi it's ⟦name|Mike⟧ from apartment twelve my heating is out again"),
    ("en", "customer", "and who is the beneficiary", "my daughter ⟦name|Emily Carter⟧"),
    ("en", "customer", "May I ask who's calling", "⟦name|Oluwaseun Adeyemi⟧ but everyone calls me ⟦name|Seun⟧"),
    ("en", "customer", "Sorry could you spell that", "⟦name|M-C-C-A-R-T-H-Y⟧ McCarthy"),
    ("en", "agent", "I'd like to close my account", "I'm sorry to hear that ⟦name|Mr Patel⟧ may I ask why"),
    ("en", "customer", "Is the policy in your name", "no it's in my wife's name ⟦name|Sandra Lee⟧"),
    ("en", "customer", None, "my name is ⟦name|Björn Lindqvist⟧ and i have a problem with my order"),
    ("en", "customer", "What's the name on the account", "⟦name|Rodriguez⟧ ⟦name|Carlos Rodriguez⟧"),
    ("en", "customer", "and your first name", "⟦name|Aisha⟧"),
    ("en", "agent", "hello", "hi am i speaking with ⟦name|Mr Jonathan Price⟧"),
    ("en", "customer", "who's authorised on the account", "me and my son ⟦name|Liam⟧"),
    ("en", "customer", None, "hello yes this is ⟦name|Dmitri Volkov⟧ returning your call"),
    ("en", "customer", "Can I have the name of the person you're calling for", "my father ⟦name|Harold Jenkins⟧ he's eighty two"),
    ("en", "customer", "Could you spell the surname", "⟦name|W-O-J-C-I-K⟧"),
    ("en", "agent", "it's been three weeks", "I understand ⟦name|Ms Achterberg⟧ let me escalate this for you"),
    ("en", "customer", "What is the name of the payee", "⟦name|Angela Moretti⟧ she's my cleaner"),
    ("en", "customer", None, "um hi my name's ⟦name|Jamal Washington⟧ i got a letter saying my account is overdue"),
]
# --- Accounts, orders, memberships, policies, bookings ----------------------------------------------
def digits(n):
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def letters(n):
    return "".join(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") for _ in range(n))


o1, o2, o3, o4, o5 = digits(18), digits(12), digits(10), digits(16), digits(9)
m1, m2, m3 = digits(8), digits(11), digits(10)
p1, p2 = "P" + digits(12), digits(15)
a1, a2 = digits(19), digits(17)
W += [
    ("zh", "customer", "请问您的订单号是多少", f"订单号是⟦account|{o1}⟧"),
    ("zh", "customer", "请问您的订单号", f"⟦account|{group(o2, [4, 4, 4])}⟧"),
    ("zh", "customer", "请报一下您的会员号", f"⟦account|{zh_say(m1)}⟧"),
    ("zh", "customer", "请问您的会员卡号是多少", f"会员号⟦account|{zh_say(m2, liang=True)}⟧ 对 十一位的"),
    ("zh", "customer", "请提供一下保单号", f"保单号⟦account|{p1}⟧ P是大写的"),
    ("zh", "customer", None, f"我那个订单⟦account|{o3}⟧到现在还没发货 都一个礼拜了"),
    ("zh", "customer", "您的账户号码是", f"⟦account|{group(a1, [4, 4, 4, 4])}⟧"),
    ("zh", "customer", "请问您的保单号码", f"⟦account|{zh_say(p2, sep=' ')}⟧"),
    ("zh", "agent", "对的就是这个订单", f"好的 订单⟦account|{o4}⟧ 我这边看到已经在退款中了"),
    ("zh", "customer", "您的会员编号多少", f"⟦account|VIP{m3}⟧"),
    ("zh", "customer", "请问是哪个订单", "就是尾号⟦account|三八七二⟧的那个订单"),
    ("zh", "customer", "麻烦报一下您的客户编号", "⟦account|KH两零幺九零零三四五六⟧"),
    ("zh", "customer", "您的合同编号呢", "合同编号是⟦account|HT-2023-0817-066⟧"),
    ("zh", "customer", "请问燃气户号是多少", "户号⟦account|幺零零八 六七四二 三五⟧"),
    ("zh", "customer", "电费户号您知道吗", "知道 ⟦account|0301 2278 5561⟧"),
    ("zh", "customer", "请问您的预订号", "预订号⟦account|RB8826401⟧ 是携程上订的"),
    ("zh", "customer", "请问您的工单号", "工单号我记得是⟦account|两零两四 幺幺零五 零零七⟧"),
    ("zh", "customer", "请问您的账号", f"⟦account|{a2}⟧ 是我工资卡对应的那个理财账户"),
    ("zh", "customer", "您的保单号后几位是", "后六位⟦account|五五幺二零八⟧"),
    ("zh", "customer", None, f"帮我查下订单号⟦account|{o5}⟧ 呃 不对 是⟦account|{o5[:-1]}7⟧"),
    ("zh", "agent", "我的积分怎么少了", "您的会员账号⟦account|M0093 3815⟧下 上个月兑换了两千积分"),
    ("zh", "customer", "请问您的学员编号", "⟦account|XY二零二三零四五⟧"),
    ("zh", "customer", "请问您的借款合同号", "是⟦account|JK 7706 2145⟧"),
    ("zh", "customer", "请报一下您的快递单号", "⟦account|SF1420 3399 8761⟧ 顺丰的"),
    ("zh", "customer", "宽带账号是多少", "宽带账号⟦account|ad025 8841 6630⟧"),
]
b1 = letters(2) + digits(4)
b2 = letters(6)
W += [
    ("en", "customer", "Can I have your order number please", f"yeah it's ⟦account|{digits(9)}⟧"),
    ("en", "customer", "What's your membership number", f"⟦account|{en_say(digits(8))}⟧"),
    ("en", "customer", "Do you have the booking reference", f"yes ⟦account|{b2}⟧"),
    ("en", "customer", "And the policy number", f"⟦account|{b1[:2]}-{b1[2:]}-{digits(3)}⟧"),
    ("en", "customer", None, "i'm calling about order number ⟦account|four four seven oh two nine one⟧ it never arrived"),
    ("en", "customer", "Could you read me the confirmation number", "⟦account|double seven three K nine double oh⟧"),
    ("en", "agent", "yes please", "your confirmation number is ⟦account|HX4471Q⟧ you'll also get it by email"),
    ("en", "customer", "What's the account number", f"⟦account|{group(digits(10), [3, 3, 4])}⟧"),
    ("en", "customer", "Could I get your reference number", "⟦account|REF 2210 5567⟧"),
    ("en", "customer", "what's your customer ID", "⟦account|C as in Charlie 4 0 8 1 9 3⟧"),
    ("en", "customer", "Can you read me the account number on your statement", "sure it's ⟦account|oh oh four eight two two six one five nine⟧"),
    ("en", "customer", None, "my loyalty number is ⟦account|LY 5530 0192⟧ but the points aren't showing"),
    ("en", "agent", "I have the booking here somewhere", "no problem i found it under reference ⟦account|QWT8PZ⟧ for two nights"),
    ("en", "customer", "And your policy number", "it's ⟦account|H O 3 dash 7 7 1 2 0 4⟧ home insurance"),
    ("en", "customer", "what's the order number", "⟦account|one one two dash nine eight four four five six one dash three three oh⟧"),
    ("en", "customer", "do you have your member ID", "yeah ⟦account|for five six to nine oh⟧"),
    ("en", "customer", "Can I have the claim number", "⟦account|CLM-0048812⟧"),
    ("en", "customer", None, f"i have two orders one is ⟦account|{digits(7)}⟧ and the other is ⟦account|{digits(7)}⟧"),
    ("en", "customer", "what's the tracking number", "⟦account|1Z 999 AA1 01 2345 6784⟧"),
    ("en", "customer", "can you give me the last four of the account", "⟦account|6 2 1 8⟧"),
    ("en", "customer", "What's your frequent flyer number", "⟦account|BA 8817 2043⟧"),
    ("en", "agent", "i just want to know if it shipped", "order ⟦account|W 556 2081⟧ shipped yesterday and should be there Friday"),
    ("en", "customer", "Could you give me the ticket number on your case", "⟦account|INC0077431⟧"),
    ("en", "customer", "and the subscriber number", "⟦account|eight two oh oh one four seven seven⟧ sorry ⟦account|eight two oh oh one four seven six⟧"),
    ("en", "customer", "Do you have the reservation code", "i think it's ⟦account|X7 K2 9M⟧"),
]
# --- Phones ---------------------------------------------------------------------------------------
def mobile():
    return rng.choice(["138", "139", "150", "186", "177", "135", "159", "199"]) + digits(8)


ph = [mobile() for _ in range(10)]
W += [
    ("zh", "customer", "请问您的联系电话", f"⟦phone|{ph[0]}⟧"),
    ("zh", "customer", "请留一个手机号", f"⟦phone|{group(ph[1], [3, 4, 4])}⟧"),
    ("zh", "customer", "您的电话是多少", f"⟦phone|{zh_say(ph[2])}⟧"),
    ("zh", "customer", None, f"你们打我这个号码⟦phone|{zh_say(ph[3], liang=True, sep=' ')}⟧就行 白天都在"),
    ("zh", "customer", "家里座机号码", "⟦phone|0571-8692 3340⟧"),
    ("zh", "customer", "请问备用电话", f"我老婆的 ⟦phone|{ph[4]}⟧ 打不通就打她的"),
    ("zh", "customer", "手机号后四位是多少", "后四位⟦phone|六六八幺⟧"),
    ("zh", "agent", "对 是这个号码", f"好的 跟您确认一下手机号⟦phone|{ph[5][:3]}****{ph[5][-4:]}⟧ 没错吧"),
    ("zh", "customer", "单位电话", "⟦phone|零二八 八五五幺 四七零九⟧ 转⟦phone|八零三⟧"),
    ("zh", "customer", None, f"我换号了 新号码是⟦phone|{ph[6]}⟧ 旧的那个不用了"),
    ("en", "customer", "What's the best number to reach you", "⟦phone|(415) 662-0193⟧"),
    ("en", "customer", "And a phone number", "⟦phone|seven oh three five five five oh one eight two⟧"),
    ("en", "customer", None, "you can call me back on ⟦phone|07700 900 412⟧ that's my mobile"),
    ("en", "customer", "Is there a daytime number", "⟦phone|312 555 0148 extension 22⟧"),
    ("en", "customer", "what's the number on the account", "it's ⟦phone|double two oh four seven double one three nine six⟧"),
    ("en", "customer", "Can I get the last four of the phone number", "⟦phone|8 8 1 6⟧"),
    ("en", "agent", "yeah that's the right one", "great so i have ⟦phone|646-555-0177⟧ as your primary number"),
    ("en", "customer", None, "my daughter's number is ⟦phone|+44 7911 123456⟧ please call her if you can't get me"),
    ("en", "customer", "and your home phone", "⟦phone|nine one nine two six four three three oh five⟧"),
    ("zh", "customer", "您的手机号码", f"⟦phone|{ph[7][:3]} {ph[7][3:7]}⟧ 呃 ⟦phone|{ph[7][7:]}⟧"),
]
# --- Resident IDs, SSNs, passports ------------------------------------------------------------------
ids = [zh_id() for _ in range(12)]
W += [
    ("zh", "customer", "请报一下您的身份证号", f"⟦id|{ids[0]}⟧"),
    ("zh", "customer", "身份证号码是多少", f"⟦id|{group(ids[1], [6, 8, 4])}⟧"),
    ("zh", "customer", "请提供身份证号码核实身份", f"⟦id|{zh_say(ids[2])}⟧"),
    ("zh", "customer", "身份证后四位", f"⟦id|{zh_say(ids[3][-4:])}⟧"),
    ("zh", "customer", None, f"我身份证是⟦id|{ids[4]}⟧ 你们系统里是不是录错了"),
    ("zh", "customer", "您的证件号码", f"⟦id|{zh_say(ids[5], liang=True, sep=' ')}⟧"),
    ("zh", "agent", "嗯 对", f"跟您核对一下身份证号 ⟦id|{ids[6][:6]}********{ids[6][-4:]}⟧"),
    ("zh", "customer", "身份证号码后六位", f"⟦id|{ids[7][-6:]}⟧"),
    ("zh", "customer", "请问被保险人证件号", f"我儿子的 ⟦id|{ids[8]}⟧"),
    ("zh", "customer", "护照号码是多少", "护照号⟦id|E 6789 2134⟧"),
    ("zh", "customer", None, f"身份证号⟦id|{ids[9][:10]}⟧ 呃 ⟦id|{ids[9][10:]}⟧"),
    ("zh", "customer", "请报下身份证", f"⟦id|{ids[10][:-1]}叉⟧" if ids[10][-1] == "X" else f"⟦id|{ids[10]}⟧"),
    ("en", "customer", "Can I have the last four of your social", "⟦id|4 4 0 2⟧"),
    ("en", "customer", "What's your social security number", f"⟦id|{ssn()}⟧"),
    ("en", "customer", "and your SSN for verification", "⟦id|five two one four four eight oh six nine⟧"),
    ("en", "customer", None, "my social is ⟦id|six oh two twenty one thirty three seventy⟧"),
    ("en", "customer", "What's your passport number", "⟦id|5 3 3 8 1 2 0 4 7⟧"),
    ("en", "customer", "last four of your social please", "⟦id|oh nine one seven⟧"),
    ("en", "agent", "okay", f"i have your social ending in ⟦id|{digits(4)}⟧ is that correct"),
    ("en", "customer", "Can you confirm your passport number", "⟦id|GB 510 293 884⟧"),
    ("en", "customer", "and the national insurance number", "⟦id|QQ 12 34 56 C⟧"),
    ("en", "customer", None, f"the social on the account should be ⟦id|{ssn()}⟧ that's my wife's"),
    ("en", "customer", "I need your driver's licence number", "⟦id|D 4 0 2 dash 7 7 1 9 dash 3 0 6 5⟧"),
    ("zh", "customer", "请问您的身份证号", f"⟦id|{ids[11][:6]} {ids[11][6:14]} {ids[11][14:]}⟧"),
    ("zh", "customer", "港澳通行证号码", "⟦id|C10 552 873⟧"),
]
# --- Cards ------------------------------------------------------------------------------------------
cards = [luhn(p) for p in ["622848", "621700", "622202", "628288", "625966", "4", "5", "4", "5", "37"]]
cards[9] = luhn("37", 15)
W += [
    ("zh", "customer", "请报一下银行卡号", f"⟦card|{cards[0]}⟧"),
    ("zh", "customer", "您的卡号是", f"⟦card|{group(cards[1], [4, 4, 4, 4])}⟧"),
    ("zh", "customer", "卡号多少", f"⟦card|{zh_say(cards[2])}⟧"),
    ("zh", "customer", "卡号后四位", f"尾号⟦card|{zh_say(cards[3][-4:], liang=True)}⟧"),
    ("zh", "customer", None, f"我尾号⟦card|{cards[4][-4:]}⟧的信用卡被盗刷了 赶紧帮我冻结"),
    ("zh", "agent", "对就是这张", f"好的 尾号⟦card|{cards[0][-4:]}⟧的借记卡已经为您挂失"),
    ("zh", "customer", "请问是哪张卡", f"工行那张 ⟦card|{zh_say(cards[2][:6], sep=' ')}⟧ 后面是 ⟦card|{zh_say(cards[2][6:], sep=' ')}⟧"),
    ("zh", "customer", "还款卡号", f"⟦card|{cards[1][:4]} {cards[1][4:8]}⟧ 嗯 ⟦card|{cards[1][8:12]} {cards[1][12:]}⟧"),
    ("zh", "customer", "请问信用卡后四位", "⟦card|零零七幺⟧"),
    ("zh", "customer", "扣款的那张卡号是多少", f"⟦card|{cards[3]}⟧ 农行的"),
    ("zh", "customer", None, "卡号是⟦card|六二幺七⟧ 后面我看不清了 ⟦card|幺零零三⟧ 对 最后四位⟦card|幺零零三⟧"),
    ("zh", "customer", "请问您绑定的卡", f"⟦card|{cards[4][:6]}⟧开头⟦card|{cards[4][-4:]}⟧结尾的"),
    ("en", "customer", "Can I have the card number", f"⟦card|{group(cards[5], [4, 4, 4, 4])}⟧"),
    ("en", "customer", "What's the long number on the card", f"⟦card|{en_say(cards[6])}⟧"),
    ("en", "customer", "last four digits of the card", f"⟦card|{en_say(cards[7][-4:])}⟧"),
    ("en", "customer", None, f"there's a charge on my card ending ⟦card|{cards[8][-4:]}⟧ that i didn't make"),
    ("en", "agent", "yes that one", f"okay the card ending in ⟦card|{cards[5][-4:]}⟧ has been blocked"),
    ("en", "customer", "What card would you like to pay with", f"amex ⟦card|{group(cards[9], [4, 6, 5])}⟧"),
    ("en", "customer", "and the card number", f"⟦card|{cards[7]}⟧"),
    ("en", "customer", "could you read me the card number", f"⟦card|{en_say(cards[8][:8])}⟧ um ⟦card|{en_say(cards[8][8:])}⟧"),
    ("en", "customer", "which card is it", "the visa ending in ⟦card|double four six oh⟧"),
    ("en", "customer", "last four of the debit card", "⟦card|7 3 0 2⟧"),
    ("en", "customer", None, f"my new card is ⟦card|{cards[6][:4]} {cards[6][4:8]} {cards[6][8:12]} {cards[6][12:]}⟧ please update it"),
    ("en", "customer", "which card was charged", "the one that ends ⟦card|for to oh nine⟧"),
    ("en", "customer", "And the card number please", f"⟦card|{cards[5][:4]} {cards[5][4:8]}⟧ sorry ⟦card|{group(cards[5][4:], [4, 4, 4])}⟧"),
]
# --- Addresses --------------------------------------------------------------------------------------
W += [
    ("zh", "customer", "请问您的收货地址", "⟦address|广东省深圳市南山区桃源街道龙珠四路二号 方大城三栋一单元1502⟧"),
    ("zh", "customer", "装机地址是哪里", "⟦address|朝阳区望京西园三区312号楼6门501⟧"),
    ("zh", "customer", None, "我住在⟦address|成都市武侯区红牌楼路十九号附八号⟧ 你们师傅上门找不到"),
    ("zh", "customer", "请问详细地址", "⟦address|杭州市西湖区文三路478号华星时代广场A座908室⟧"),
    ("zh", "customer", "寄到哪里", "寄到我单位 ⟦address|南京市鼓楼区中山北路二百号⟧ 门卫那里"),
    ("zh", "customer", "请问您家的地址", "⟦address|河北省保定市莲池区东风中路一五零号院 七号楼二单元四零二⟧"),
    ("zh", "agent", "对的 地址没变", "好的 那还是送到⟦address|天河区体育西路103号维多利广场B塔2608⟧对吧"),
    ("zh", "customer", "您家小区名字和门牌号", "⟦address|金色家园小区十二栋三单元六零一⟧"),
    ("zh", "customer", "请说一下邮编", "邮编⟦address|四三零零七四⟧"),
    ("zh", "customer", None, "账单寄到⟦address|湖南省长沙县黄兴镇蓝田村三组⟧ 我爸妈那边"),
    ("zh", "customer", "请问安装地址", "⟦address|西安市雁塔区小寨东路26号⟧ 对 就是那个写字楼"),
    ("zh", "customer", "您在哪个位置", "我在⟦address|龙华区民治大道与人民路交汇处 星河盛世二期五栋⟧"),
    ("en", "customer", "What's the delivery address", "⟦address|42 Hawthorne Close Leeds LS6 2QT⟧"),
    ("en", "customer", "Can I have your street address", "⟦address|seventeen twenty two Maple Ridge Drive apartment four B⟧"),
    ("en", "customer", None, "i moved to ⟦address|880 West Fullerton Avenue unit 3⟧ so please update my billing"),
    ("en", "customer", "And the zip code", "⟦address|six oh six two two⟧ in Chicago"),
    ("en", "customer", "what's the postcode there", "⟦address|M14 5RQ⟧"),
    ("en", "agent", "yes the same as before", "okay so we'll send it to ⟦address|19 Crescent Road Brighton BN2 3RP⟧"),
    ("en", "customer", "Where should the technician go", "⟦address|1500 Oak Street suite 210 Denver Colorado 80203⟧"),
    ("en", "customer", "is that your home address", "no my mailing address is ⟦address|PO Box 4471 Tucson AZ 85717⟧"),
    ("en", "customer", None, "the package was supposed to go to ⟦address|6 Willow Court⟧ but it ended up next door"),
    ("en", "customer", "and the zip", "⟦address|3 oh 3 oh 9⟧"),
]
# --- E-mail -------------------------------------------------------------------------------------------
W += [
    ("zh", "customer", "请问您的邮箱", "⟦email|wangfang0716@163.com⟧"),
    ("zh", "customer", "邮箱地址是", "⟦email|liuhai 艾特 qq 点 com⟧"),
    ("zh", "customer", None, "发票发到我邮箱⟦email|chen.jing@foxmail.com⟧就可以"),
    ("zh", "customer", "请说一下邮箱", "⟦email|幺三九七七二零八八艾特qq点com⟧"),
    ("zh", "customer", "电子保单发到哪个邮箱", "⟦email|zhang_yu_2019 at 126 dot com⟧ 下划线的"),
    ("zh", "agent", "嗯对", "跟您确认邮箱是⟦email|ouyang.q@outlook.com⟧"),
    ("zh", "customer", "您的邮箱呢", "⟦email|z h l 八八 艾特 sina 点 com⟧"),
    ("zh", "customer", "请提供一个邮箱接收账单", "用我公司的 ⟦email|li.ming@huaxin-tech.cn⟧"),
    ("zh", "customer", None, "我之前留的邮箱⟦email|sunny_xu@yeah.net⟧已经不用了 改成⟦email|xuxiaoyun@gmail.com⟧"),
    ("zh", "customer", "邮箱是多少", "⟦email|yang 点 lili 艾特 一六三 点 com⟧"),
    ("zh", "customer", "邮箱地址麻烦再说一遍", "⟦email|huangdg1962@139.com⟧"),
    ("zh", "customer", "请问您的电子邮箱", "⟦email|kuai 下划线 wen 艾特 qq 点 com⟧"),
    ("en", "customer", "What's your email address", "⟦email|dthompson84@gmail.com⟧"),
    ("en", "customer", "and an email", "⟦email|siobhan dot keane at outlook dot com⟧"),
    ("en", "customer", None, "send it to ⟦email|tnowak@wp.pl⟧ please"),
    ("en", "customer", "email on the account", "⟦email|m underscore okafor at yahoo dot co dot uk⟧"),
    ("en", "agent", "that's right", "so i have ⟦email|jen.kowalczyk@hotmail.com⟧ is that correct"),
    ("en", "customer", "Can I get an email for the receipt", "⟦email|carlos r 77 at icloud dot com⟧"),
    ("en", "customer", "what email should we use", "my work one ⟦email|a.adeyemi@brightpath.org⟧"),
    ("en", "customer", "spell the email for me", "⟦email|H-J-E-N-K-I-N-S at aol dot com⟧"),
    ("en", "customer", None, "i never got the email i think you have the old one ⟦email|bjorn.l@telia.se⟧ the new one is ⟦email|bjorn.lindqvist@proton.me⟧"),
    ("en", "customer", "And your email address", "⟦email|jamal w 1990 at gmail dot com⟧"),
    ("en", "customer", "email please", "⟦email|priya.r@fastmail.fm⟧"),
]
# --- Dates of birth -----------------------------------------------------------------------------------
W += [
    ("zh", "customer", "请问您的出生日期", "⟦dob|一九八六年四月十二号⟧"),
    ("zh", "customer", "生日是哪天", "⟦dob|1979年11月3日⟧"),
    ("zh", "customer", None, "我是⟦dob|九二年⟧的 属猴"),
    ("zh", "customer", "被保险人出生年月", "⟦dob|二零一七年八月⟧"),
    ("zh", "customer", "请核对一下出生日期", "⟦dob|1965年2月28号⟧ 对"),
    ("zh", "agent", "嗯", "您的出生日期是⟦dob|1990年6月9日⟧ 对吗"),
    ("zh", "customer", "您爱人的出生日期", "她是⟦dob|八八年十月⟧生的 具体哪天我得问问"),
    ("zh", "customer", "请问出生年月日", "⟦dob|两千零三年一月一号⟧"),
    ("zh", "customer", None, "我妈是⟦dob|一九五八年⟧出生的 今年还能买这个保险吗"),
    ("zh", "customer", "您的生日", "⟦dob|农历七月初七⟧ 身份证上是⟦dob|八月二十号⟧"),
    ("zh", "customer", "出生日期", "⟦dob|19840517⟧"),
    ("zh", "customer", "孩子的出生日期是", "⟦dob|二零二零年三月十五⟧"),
    ("en", "customer", "Can I have your date of birth", "⟦dob|March fourth nineteen seventy nine⟧"),
    ("en", "customer", "and your DOB", "⟦dob|oh four twelve eighty eight⟧"),
    ("en", "customer", "date of birth please", "⟦dob|11/23/1991⟧"),
    ("en", "customer", None, "i was born on ⟦dob|the ninth of July 1974⟧"),
    ("en", "customer", "What's the date of birth on the policy", "my son's ⟦dob|June 2nd 2012⟧"),
    ("en", "agent", "yes", "and i have your date of birth as ⟦dob|September 30th 1983⟧"),
    ("en", "customer", "and your birth year", "⟦dob|nineteen sixty one⟧"),
    ("en", "customer", "Could you confirm your date of birth", "⟦dob|twenty second of February eighty seven⟧"),
    ("en", "customer", None, "my mother was born in ⟦dob|1941⟧ so she's over the age limit i guess"),
    ("en", "customer", "what's the cardholder's date of birth", "⟦dob|1 5 1 9 6 9⟧ ⟦dob|january fifth sixty nine⟧"),
    ("en", "customer", "birthday", "⟦dob|December 8th 1995⟧"),
    ("en", "customer", "date of birth for the account holder", "⟦dob|seven seven nineteen fifty⟧"),
]
for lang, speaker, question, marked in W:
    w(lang, speaker, question, marked)

# --- Written hard negatives ---------------------------------------------------------------------------
N = [
    ("zh", "agent", None, "您好 我是工号三七二九的客服小刘 很高兴为您服务"),
    ("zh", "agent", "你是哪位", "我是客服专员王芳 工号8826 这通电话会全程录音"),
    ("zh", "agent", "刚才那个客服叫什么", "您说的应该是我们的同事小陈 工号一零四五"),
    ("zh", "customer", "请问退款金额是多少", "三千二百四十九块五"),
    ("zh", "customer", "您大概几点方便", "明天下午两点到四点之间都行"),
    ("zh", "customer", "请问您的航班号", "CA1831 早上八点二十起飞的"),
    ("zh", "customer", "哪趟车", "G1374次 二号车厢"),
    ("zh", "customer", "是什么型号的", "美的的 KFR-72LW 三匹的柜机"),
    ("zh", "customer", "买了几件", "一共买了十二件 退回来三件"),
    ("zh", "customer", None, "我就住在中山路附近 具体哪栋我到时候再说"),
    ("zh", "customer", None, "刘德华那个演唱会的票你们还有吗"),
    ("zh", "customer", "订的是哪天", "二零二四年十二月二十四号入住 住三晚"),
    ("zh", "agent", None, "本次通话的满意度请您按一到五分打分 五分为非常满意"),
    ("zh", "customer", "请问是哪家公司", "华为 不是 华为的代理商 叫什么通达科技"),
    ("zh", "agent", "多少钱", "年费是六百八十八元 首年免年费"),
    ("zh", "customer", "您的套餐是", "一百二十八的那个 每月三十个G"),
    ("zh", "agent", None, "请拨打我们的服务热线查询"),
    ("zh", "customer", "多大面积", "一百零八平 三室两厅"),
    ("zh", "agent", "利息怎么算", "年化利率是百分之三点八五 分十二期"),
    ("zh", "customer", None, "上次是你们那个经理说可以退的 我记得很清楚"),
    ("zh", "customer", "请问快递几点到", "他说晚上七点半之前 到现在还没到"),
    ("zh", "agent", None, "我是今天的值班主管小赵 您的问题我来跟进"),
    ("zh", "customer", "几楼", "就在一楼大厅 进门右手边"),
    ("zh", "customer", "买的是哪一款", "iPhone 15 Pro Max 二百五十六G的"),
    ("zh", "customer", None, "我在北京朝阳区这边 你们有没有线下网点"),
    ("zh", "agent", "我要等多久", "预计三到五个工作日 最晚十二月十号之前"),
    ("zh", "customer", "请问您订的是哪个房型", "大床房 两间 一千零九十九一晚"),
    ("zh", "customer", None, "我看新闻上说马云以前也在这个小区住过"),
    ("zh", "agent", None, "温馨提示 本次服务编号将以短信方式发给您 请注意查收"),
    ("zh", "customer", "打了几次电话", "打了得有七八次了 每次都说四十八小时内回复"),
    ("zh", "customer", "哪个门店", "万达广场那家 三楼"),
    ("zh", "agent", "你叫什么 我要投诉你", "我叫李婷 工号两六五零 您的投诉我们会记录"),
    ("en", "agent", None, "thank you for calling my name is Sarah and i'll be helping you today"),
    ("en", "agent", "who am I talking to", "this is Marcus with the billing team my ID is 4471"),
    ("en", "customer", "How much was the charge", "two hundred and forty nine ninety nine"),
    ("en", "customer", "What time works for you", "anytime after three thirty on Thursday"),
    ("en", "customer", "what's your flight", "BA 287 from Heathrow leaving at eleven fifteen"),
    ("en", "customer", "which model is it", "the XPS 15 9530 the one with the i9"),
    ("en", "customer", "how many did you order", "twenty four units but only eighteen came"),
    ("en", "customer", None, "i'm somewhere on Main Street i can't see the number"),
    ("en", "customer", None, "is this the same offer Elon Musk was tweeting about"),
    ("en", "customer", "when is the reservation for", "the fourteenth of February for two nights"),
    ("en", "agent", None, "your call may be recorded for quality and training purposes"),
    ("en", "customer", "which company is the package from", "it's from Amazon i think or maybe Wayfair"),
    ("en", "agent", "how much is the upgrade", "it's an extra fifteen dollars a month for the first twelve months"),
    ("en", "customer", "what's the problem", "the router keeps blinking orange like every ten seconds"),
    ("en", "agent", None, "let me transfer you to the claims department it might take a minute"),
    ("en", "customer", "how old is the vehicle", "it's a 2018 Honda Civic with about sixty thousand miles"),
    ("en", "customer", None, "i was on hold for forty five minutes yesterday"),
    ("en", "agent", "what's the interest rate", "the APR is nineteen point nine nine percent"),
    ("en", "customer", "which train", "the 7:42 to Manchester Piccadilly platform four"),
    ("en", "customer", "What size", "a size ten in the blue one please"),
    ("en", "agent", None, "hi this is Jessica from customer care i'm following up on your case"),
    ("en", "customer", None, "my neighbour said Verizon had the same outage last week"),
    ("en", "agent", "when will it arrive", "it's scheduled for delivery on December 12th between nine and noon"),
    ("en", "customer", "what floor are you on", "third floor room on the left"),
    ("en", "customer", None, "i bought it at the Best Buy on Route 9"),
    ("en", "agent", "can I speak to a supervisor", "sure the wait time for a supervisor is about ten minutes"),
    ("en", "customer", "how many people", "party of six at seven pm"),
    ("en", "customer", None, "the error code on the screen says E 4 0 1"),
    ("en", "agent", None, "please press one for billing two for technical support or zero for an operator"),
    ("en", "customer", "what was the temperature setting", "seventy two degrees the whole time"),
    ("en", "customer", None, "i watched that Taylor Swift concert on your streaming app and it kept buffering"),
    ("en", "agent", "how long is the warranty", "two years parts and labour from the date of purchase"),
    ("zh", "customer", "请问是几号的订单", "就是双十一那天下的 十一月十一号凌晨"),
    ("zh", "agent", "你们电话多少来着", "就是您现在拨打的这个客服热线 全天都有人接"),
]
for lang, speaker, question, text in N:
    neg(lang, speaker, question, text)

# --- Output ---------------------------------------------------------------------------------------
ids_ = [it["id"] for it in items]
if len(ids_) != len(set(ids_)):
    raise SystemExit("an id is used twice")
for it in items:
    for p in it["pii"]:
        if it["text"][p["start_char"]:p["end_char"]] != p["text"]:
            raise SystemExit(f"{it['id']}: span {p['text']!r} not at its offsets")
    spans = sorted((p["start_char"], p["end_char"]) for p in it["pii"])
    for a, b in zip(spans, spans[1:]):
        if b[0] < a[1]:
            raise SystemExit(f"{it['id']}: spans overlap")
out = HERE / "pii_heldout4.jsonl"
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
