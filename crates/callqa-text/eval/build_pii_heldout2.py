"""Build crates/callqa-text/eval/pii_heldout2.jsonl: a second, fresh held-out PII set (issue 12).

Run at development time only (the product and its tests read the committed JSONL):

    python3 crates/callqa-text/eval/build_pii_heldout2.py [../shared/data/dialog_real]

`pii_heldout.jsonl` was looked at while the redactor was being fixed, so it no longer counts as
held out. This set replaces it for that purpose. It was labelled by reading the text only: the
redactor was neither read nor run on any of it, and no redactor output was seen. Its rules must
not be tuned against it. Every line has the format of `pii_eval.jsonl` with
`split: "heldout2"`. Ids are `<source>:<dialog_id>:<turn>` for corpus lines, `written:<n>` for
written cases with PII and `written:neg<n>` for the written hard negatives (no PII, but close).
The output is byte-for-byte the same on every run (seeded generators, no set iteration).

Labelling rules: exactly those in the header of `build_pii_heldout.py` (name, phone, id, card,
account, address, email, dob; a span is the first occurrence of the labelled substring, or the
n-th with a third element). This builder checks that each labelled text sits at its offsets and
that no two spans of a line overlap.

Sources (each line carries `source` and `licence`):
- Corpus lines from `../shared/data/dialog_real` (licences as its README states them). Samples are
  seeded (random.Random(2400 + i)) and drawn only from dialogues that neither `pii_eval.jsonl`
  nor `pii_heldout.jsonl` uses (any line of theirs with an id `<source>:<dialog_id>:<turn>`
  excludes the whole dialogue). Per corpus, N lines with a cue (digits, reference, postcode,
  phone, address, name, e-mail, birth, account, card or membership words) and M other lines:
  - SGD (`sgd_en.jsonl.gz`, CC BY-SA 4.0; the lines taken from it stay CC BY-SA 4.0): 45 + 10.
  - Taskmaster-1/2/3 samples (`taskmaster_samples_en.jsonl.gz`, CC BY 4.0): 12 + 4 (only 3
    dialogues are left unused).
  - MultiWOZ 2.1 val/test (`multiwoz21_valtest_en.jsonl.gz`, MIT / CC BY 4.0): 45 + 10.
  - CrossWOZ val/test (`crosswoz_valtest_zh.jsonl.gz`, Apache-2.0): 40 + 10.
  - KdConv dev/test (`kdconv_devtest_zh.jsonl.gz`, Apache-2.0): 15 + 5.
  - ABCD sample (`abcd_sample_en.jsonl.gz`, MIT) and Harper Valley Bank excerpt
    (`harper_valley_bank_excerpt_en.jsonl.gz`, Apache-2.0 per the repo's LICENSE; an older
    provenance note says CC BY 4.0, both permissive): their licences allow committing lines, but
    every one of their dialogues (3 and 13) is already in `pii_eval.jsonl`, so none is left to
    use. They are listed so that the builder says so (0 lines each).
  Not used: the Taobao e-commerce sample (no licence stated) and STC-3 (non-commercial only).
- Written call-centre cases (this file, licence as callqa's own), Mandarin and English, written
  fresh for this set from the entity list of issue 12, not from the redactor's output. The
  weight is on names and account/order/member/policy/booking numbers. Numbers come from a seeded
  generator (random.Random(2450)): resident IDs with a valid GB 11643 check character,
  Luhn-valid card numbers, mobile and landline numbers, alphanumeric references. Each is then
  written as digits, in groups, spoken (幺/两/零, "oh", "double") or ASR-garbled, as Whisper
  would write it. Hard negatives (amounts, times, flight and train numbers, product models,
  quantities, streets named alone, the agent's own name and staff number, public figures,
  company names, booking dates) have ids `written:neg<n>`.
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
SPLIT = "heldout2"

items = []


def add(source, licence, lang, speaker, text, labels, question=None, ref=None):
    pii = []
    for lab in labels:
        kind, sub = lab[0], lab[1]
        nth = lab[2] if len(lab) > 2 else 0
        at = -1
        for _ in range(nth + 1):
            at = text.find(sub, at + 1)
        if at < 0 or not sub:
            raise SystemExit(f"label {sub!r} not in {text!r}")
        assert text[at:at + len(sub)] == sub
        for p in pii:
            if at < p["end_char"] and p["start_char"] < at + len(sub):
                raise SystemExit(f"labels {p['text']!r} and {sub!r} overlap in {text!r}")
        pii.append({"type": kind, "start_char": at, "end_char": at + len(sub), "text": sub})
    pii.sort(key=lambda p: p["start_char"])
    items.append(
        {
            "id": f"{source}:{ref}",
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
# Dialogues that either earlier set drew from are left out entirely.
USED = set()
for earlier in ("pii_eval.jsonl", "pii_heldout.jsonl"):
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
    ("sgd_en.jsonl.gz", "sgd", "CC BY-SA 4.0", "en", CUE_EN, 45, 10),
    ("taskmaster_samples_en.jsonl.gz", "taskmaster", "CC BY 4.0", "en", CUE_EN, 12, 4),
    ("multiwoz21_valtest_en.jsonl.gz", "multiwoz21", "MIT", "en", CUE_EN, 45, 10),
    ("crosswoz_valtest_zh.jsonl.gz", "crosswoz", "Apache-2.0", "zh", CUE_ZH, 40, 10),
    ("kdconv_devtest_zh.jsonl.gz", "kdconv", "Apache-2.0", "zh", CUE_ZH, 15, 5),
    ("abcd_sample_en.jsonl.gz", "abcd", "MIT", "en", CUE_EN, 10, 5),
    ("harper_valley_bank_excerpt_en.jsonl.gz", "harper_valley_bank", "Apache-2.0", "en", CUE_EN,
     10, 5),
]

# Labels per "dialog_id:turn", by reading the line; a sampled line not named here has no PII.
LABELS = {
    # SGD: venue addresses and phone numbers (synthetic database values), a payee's name.
    "sgd-train-29_00040:5": [("phone", "925-449-1768"), ("address", "1783 Second Street")],
    "sgd-dev-12_00002:19": [("phone", "925-827-3700")],
    "sgd-train-95_00102:11": [("address", "500 Terry A Francois Boulevard Suite 73")],
    "sgd-train-65_00122:15": [("address", "458 B Street")],
    "sgd-train-32_00027:11": [("name", "Amir")],
    "sgd-train-64_00058:11": [("address", "4204 Lone Tree Way")],
    "sgd-train-62_00017:21": [("address", "2040 Ralston Avenue Ste B")],
    "sgd-train-43_00078:5": [("phone", "+61 2 8319 9888")],
    "sgd-train-44_00115:9": [("address", "3630 Hillcap Avenue")],
    "sgd-train-1_00035:5": [("address", "331 West Hacienda Avenue")],
    "sgd-train-92_00025:13": [("phone", "+1 312-645-1500")],
    "sgd-test-15_00090:5": [("address", "3468 Mount Diablo Boulevard")],
    "sgd-train-64_00008:15": [("address", "3117 16th st")],
    "sgd-test-17_00003:3": [("phone", "408-293-3494")],
    "sgd-train-30_00092:7": [("address", "2120 McKee Road")],
    "sgd-test-32_00107:21": [("address", "3500 Pennsylvania Avenue # 101")],
    "sgd-train-61_00094:5": [("address", "2664 Berryessa Road # 206")],
    "sgd-train-86_00036:3": [("address", "201 Harrison Street")],
    "sgd-dev-2_00015:0": [("address", "599 Railroad Avenue")],
    "sgd-train-86_00026:3": [("address", "5000 Owens Drive")],
    # MultiWOZ: booking references (account), taxi and venue phone numbers, postcodes.
    "multiwoz21-test-PMUL3423:25": [("phone", "07495116373")],
    "multiwoz21-test-MUL1739:11": [("phone", "01223304705")],
    "multiwoz21-val-PMUL3820:13": [("account", "TCIY3MAO")],
    "multiwoz21-test-MUL1489:11": [("account", "EQ0YAQ1G")],
    "multiwoz21-test-PMUL1477:5": [("phone", "01223336233")],
    "multiwoz21-test-PMUL0599:17": [("account", "S7L5N6UT")],
    "multiwoz21-val-MUL1673:17": [("account", "0FE8N2XB")],
    "multiwoz21-val-PMUL2464:7": [("address", "cb30ds")],
    "multiwoz21-val-MUL1676:9": [("account", "0EQTRG4O")],
    "multiwoz21-val-PMUL1029:7": [("account", "TCYIATTU")],
    "multiwoz21-test-PMUL0095:15": [("phone", "07359871598")],
    "multiwoz21-test-SNG01835:3": [("phone", "07598718295")],
    "multiwoz21-test-PMUL0685:5": [("account", "B162FV8D")],
    "multiwoz21-test-MUL0071:13": [("account", "E62IXZGB")],
    "multiwoz21-val-SNG0422:7": [("account", "A85FTGK4")],
    "multiwoz21-test-MUL1870:5": [("phone", "01223353248")],
    "multiwoz21-val-SNG0603:7": [("account", "HB047XSI")],
    "multiwoz21-val-MUL1453:11": [("account", "HYPRVMOQ")],
    "multiwoz21-val-SNG01962:5": [("phone", "07582897305")],
    "multiwoz21-val-MUL0759:7": [("phone", "01223247942")],
    "multiwoz21-test-MUL1800:13": [("address", "cb58ld")],
    # CrossWOZ: venue addresses and phone numbers.
    "crosswoz-test-8139:9": [("address", "广安门外大街168号1幢地上1层101内006号")],
    "crosswoz-val-7804:3": [("address", "后海鸦儿胡同19号")],
    "crosswoz-val-7861:11": [("address", "北京市朝阳区金蝉西路东四环小武基北路")],
    "crosswoz-val-9482:15": [("address", "北京朝阳区亚运村安慧北里雅园1号楼")],
    "crosswoz-val-11697:17": [("phone", "010-67498258"), ("phone", "13699120196")],
    "crosswoz-val-6897:9": [("address", "北京市朝阳区工体南路工人体育场南门")],
    "crosswoz-val-8505:3": [("address", "荣华中路8号院华联力宝购物中心4层")],
    "crosswoz-val-8265:21": [("phone", "010-87263302")],
    "crosswoz-val-9181:19": [("address", "北京市昌平区南口镇马坊村1号")],
    "crosswoz-val-9862:9": [("phone", "010-59788592")],
    "crosswoz-val-8099:11": [("phone", "010-64529060"), ("phone", "010-64529090")],
    "crosswoz-test-3009:3": [("address", "北京市海淀区中关村南大街35号")],
    "crosswoz-test-11695:3": [("address", "前门大街38号")],
    "crosswoz-test-9581:9": [("phone", "010-64613377")],
    "crosswoz-test-3486:3": [("phone", "010-88841399")],
    "crosswoz-test-2448:11": [("address", "杨镇汉石桥湿地停车场向北800米(近224省道)")],
    "crosswoz-test-10722:3": [("phone", "010-65127788")],
    "crosswoz-test-7893:21": [("phone", "010-52171818")],
    # KdConv: a sight's phone number (film and music dates are public figures', not labelled).
    "kdconv-travel-test-0023:19": [("phone", "010-83288149")],
}


def pick(rows, cue, n_cue, n_other, seed):
    rows = [r for r in rows if r["dialog_id"] not in USED and r["text"].strip()]
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
    chosen = pick(rows, cue, n_cue, n_other, 2400 + i)
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
rng = random.Random(2450)

ZH_DIGIT = "零一二三四五六七八九"
EN_DIGIT = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def digits(n, first="0123456789"):
    return rng.choice(first) + "".join(rng.choice("0123456789") for _ in range(n - 1))


def zh_id(born=None):
    """An 18-character resident ID with a valid GB 11643 check character."""
    region = rng.choice(["130102", "230103", "350203", "430104", "500103", "620102", "450102",
                         "140105", "520102", "360111", "410305", "650104"])
    if born is None:
        born = f"{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = region + born + digits(3)
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, weights)) % 11]


def luhn(prefix, length=16):
    """A Luhn-valid card number starting with `prefix`."""
    body = prefix + digits(length - len(prefix) - 1)
    total = 0
    for k, c in enumerate(reversed(body)):
        d = int(c) * (2 if k % 2 == 0 else 1)
        total += d - 9 if d > 9 else d
    return body + str((10 - total % 10) % 10)


def mobile():
    return rng.choice(["135", "136", "137", "151", "152", "157", "158", "181", "182", "187",
                       "189", "199"]) + digits(8)


def code(pattern):
    """A reference from a pattern: A = letter, 9 = digit, anything else kept."""
    out = []
    for c in pattern:
        if c == "A":
            out.append(rng.choice("ABCDEFGHJKLMNPQRSTUVWXYZ"))
        elif c == "9":
            out.append(rng.choice("0123456789"))
        else:
            out.append(c)
    return "".join(out)


def grouped(s, sizes, sep=" "):
    out, at = [], 0
    for n in sizes:
        out.append(s[at:at + n])
        at += n
    if at < len(s):
        out.append(s[at:])
    return sep.join(out)


def spaced(s):
    return " ".join(s)


def zh_say(s, yao=True, liang=False, sep=""):
    """Digits as a Mandarin speaker reads them (1 as 幺, 2 as 两 if asked, X as 叉)."""
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
        else:
            out.append(c)
    return sep.join(out)


def en_say(s, oh=False, double=False):
    """Digits and letters as English words ("oh" for zero, "double five" for a pair)."""
    words, k = [], 0
    while k < len(s):
        c = s[k]
        if c in " -":
            k += 1
            continue
        w_ = c if c.isalpha() else ("oh" if (c == "0" and oh) else EN_DIGIT[int(c)])
        if double and k + 1 < len(s) and s[k + 1] == c:
            words.append("double " + w_)
            k += 2
            continue
        words.append(w_)
        k += 1
    return " ".join(words)


W = []  # (lang, speaker, question, text, labels)
NEG = []  # (lang, speaker, question, text)


def w(lang, speaker, question, text, *labels):
    W.append((lang, speaker, question, text, list(labels)))


def neg(lang, speaker, question, text):
    NEG.append((lang, speaker, question, text))


# --- Names: Mandarin ------------------------------------------------------------------------------
w("zh", "customer", None, "喂你好 我叫鄢晓雯 想问一下我那个快递怎么还没到", ("name", "鄢晓雯"))
w("zh", "customer", "请问怎么称呼您", "我姓仉 单人旁一个几的那个仉", ("name", "仉"))
w("zh", "customer", "请问您贵姓", "免贵姓欧阳", ("name", "欧阳"))
w("zh", "customer", None, "本人是司马俊峰，我要办理挂失", ("name", "司马俊峰"))
w("zh", "customer", None, "持卡人是我爱人，叫上官婉清，她现在在开会", ("name", "上官婉清"))
w("zh", "customer", None, "户主是我父亲郗建国 他岁数大了 耳朵不好使", ("name", "郗建国"))
w("zh", "agent", None, "好的鲍女士，我这边帮您查一下，请稍等", ("name", "鲍"))
w("zh", "agent", None, "诸葛先生您好，您反映的问题我已经记录下来了", ("name", "诸葛"))
w("zh", "customer", None, "这事你找我们家老伴乔桂兰 她比我清楚", ("name", "乔桂兰"))
w("zh", "customer", "收款人姓名是什么", "收款人是滕子昂 滕王阁的滕", ("name", "滕子昂"))
w("zh", "customer", None, "我是她女儿，我叫覃思语，覃是西字头下面一个早", ("name", "覃思语"))
w("zh", "customer", None, "我叫张 弓长张 张一鸣", ("name", "张"), ("name", "张一鸣"))
w("zh", "agent", None, "您好，请问是慕容雪女士本人吗", ("name", "慕容雪"))
w("zh", "customer", None, "收货人写的是我妹妹鞠欣然，电话也是她的", ("name", "鞠欣然"))
w("zh", "customer", None, "帮我查一下，名字是皇甫雯雯", ("name", "皇甫雯雯"))
w("zh", "customer", "麻烦说一下开户人姓名", "尉迟晓峰", ("name", "尉迟晓峰"))
w("zh", "agent", None, "那我跟您核对一下，您是戴振华，戴先生对吧", ("name", "戴振华"),
  ("name", "戴", 1))
w("zh", "customer", None, "我叫毕然 毕业的毕 然后的然", ("name", "毕然"))
w("zh", "customer", None, "我老公叫蒯志强，这张卡是他的副卡", ("name", "蒯志强"))
w("zh", "customer", None, "我是你们的老会员了 我叫 呃 练春燕", ("name", "练春燕"))
w("zh", "customer", None, "我叫赵蕊蕊手机号就是我注册那个", ("name", "赵蕊蕊"))
w("zh", "customer", "您好请问您是哪位", "我是单于蓝的妈妈 我叫冉秀珍", ("name", "单于蓝"),
  ("name", "冉秀珍"))
w("zh", "agent", None, "宁小姐您好，这里是售后服务中心", ("name", "宁"))
w("zh", "customer", None, "我儿子叫甘子涵，他在你们这报的网课", ("name", "甘子涵"))
w("zh", "customer", "请问持卡人姓名", "温 雅 琪", ("name", "温 雅 琪"))
w("zh", "customer", None, "我叫萧然 拼音是x-i-a-o r-a-n", ("name", "萧然"),
  ("name", "x-i-a-o r-a-n"))
w("zh", "agent", None, "好的罗老师，我帮您登记一下", ("name", "罗"))
w("zh", "customer", None, "写我爸爸的名字吧 竺文博", ("name", "竺文博"))
w("zh", "customer", None, "这个账户是我婆婆的，她叫邝美玲", ("name", "邝美玲"))
w("zh", "customer", "请问您贵姓", "姓令狐", ("name", "令狐"))
w("zh", "customer", None, "你好我是周 周淑仪 昨天打过电话的", ("name", "周"), ("name", "周淑仪"))
w("zh", "agent", None, "请问是郦文杰先生吗？这里是保险公司的回访电话", ("name", "郦文杰"))
w("zh", "customer", None, "我叫莫晓乐你们快递员把我的东西放到别人家了", ("name", "莫晓乐"))
w("zh", "customer", "联系人怎么称呼", "联系人写我朋友 岑浩宇", ("name", "岑浩宇"))
w("zh", "customer", None, "卡是我女儿晏如的，我替她打的", ("name", "晏如"))
w("zh", "agent", None, "解先生，您说的这个情况我们需要核实一下", ("name", "解"))
w("zh", "customer", None, "我叫公孙丽，上周在你们门店办的卡", ("name", "公孙丽"))
w("zh", "customer", "您好请问机主姓名", "机主是我哥 原来叫何军 后来改名叫何俊熙", ("name", "何军"),
  ("name", "何俊熙"))
w("zh", "customer", None, "嗯对 我是植 植物的植 植海燕", ("name", "植"), ("name", "植海燕"))

# --- Names: English -------------------------------------------------------------------------------
w("en", "customer", None, "hi my name is Siobhan O'Connell and I'm calling about my bill",
  ("name", "Siobhan O'Connell"))
w("en", "customer", "can I have your name please", "yeah it's Oluwaseun Adeyemi",
  ("name", "Oluwaseun Adeyemi"))
w("en", "customer", None, "this is Priya Raghunathan, I called yesterday about a refund",
  ("name", "Priya Raghunathan"))
w("en", "agent", None, "thank you Mr Kowalczyk, let me pull that up", ("name", "Kowalczyk"))
w("en", "customer", None, "last name is Nguyen N-G-U-Y-E-N", ("name", "Nguyen"),
  ("name", "N-G-U-Y-E-N"))
w("en", "customer", None, "the account is under my wife's name, Ingrid Solberg",
  ("name", "Ingrid Solberg"))
w("en", "customer", "and who is the payee", "Rafael Quintero, he's my landlord",
  ("name", "Rafael Quintero"))
w("en", "agent", None, "okay Mrs Mensah, your card has been blocked", ("name", "Mensah"))
w("en", "customer", None, "it's for my son Haruto, he's seventeen", ("name", "Haruto"))
w("en", "customer", None, "first name Fatima F-A-T-I-M-A last name Al-Masri", ("name", "Fatima"),
  ("name", "F-A-T-I-M-A"), ("name", "Al-Masri"))
w("en", "customer", "who am I speaking with today", "uh Dmitri", ("name", "Dmitri"))
w("en", "agent", None, "hello, am I speaking with Chiara Bellini?", ("name", "Chiara Bellini"))
w("en", "customer", None, "my name's Tomasz but everyone calls me Tom", ("name", "Tomasz"),
  ("name", "Tom", 1))
w("en", "customer", None, "yes hi this is aisling brennan", ("name", "aisling brennan"))
w("en", "customer", None, "my daughter Xochitl is an authorized user on the card",
  ("name", "Xochitl"))
w("en", "customer", "could you spell your first name for me", "sure it's K-W-A-M-E",
  ("name", "K-W-A-M-E"))
w("en", "agent", None, "Ms Okonkwo, I've added a note to your file", ("name", "Okonkwo"))
w("en", "customer", None, "the policy holder was my late husband Gerald Whitfield",
  ("name", "Gerald Whitfield"))
w("en", "customer", None, "I'm calling on behalf of my mother, Rosa Delgado",
  ("name", "Rosa Delgado"))
w("en", "customer", "and your full name", "Anjali Venkataraman", ("name", "Anjali Venkataraman"))
w("en", "customer", None, "the name on the card is J. Abernathy-Lowe",
  ("name", "J. Abernathy-Lowe"))
w("en", "customer", None, "hello, Yusuf Demir speaking", ("name", "Yusuf Demir"))
w("en", "agent", None, "alright Dr Lindqvist, your appointment has been moved",
  ("name", "Lindqvist"))
w("en", "customer", None, "my husband Bartholomew will call you back tonight",
  ("name", "Bartholomew"))
w("en", "customer", None, "I want to send it to Mei Ling Tan at the same bank",
  ("name", "Mei Ling Tan"))
w("en", "customer", None, "it's Sean, S-E-A-N", ("name", "Sean"), ("name", "S-E-A-N"))
w("en", "customer", None, "my name is Gwendolyn Price-Hartley", ("name", "Gwendolyn Price-Hartley"))
w("en", "agent", None, "thanks for holding mister Papadopoulos", ("name", "Papadopoulos"))
w("en", "customer", None, "this is Lakshmi's account, I'm her husband Arvind",
  ("name", "Lakshmi"), ("name", "Arvind"))
w("en", "customer", "what's the name on the reservation", "under Bjornsson",
  ("name", "Bjornsson"))
w("en", "customer", None, "uh yeah the name's Tariq Haddad", ("name", "Tariq Haddad"))
w("en", "customer", None, "the account holder is Eleanor Fairbanks-Moore, she's my grandmother",
  ("name", "Eleanor Fairbanks-Moore"))
w("en", "customer", None, "I'm Nkechi, N K E C H I", ("name", "Nkechi"), ("name", "N K E C H I"))
w("en", "agent", None, "hi, is that Mr Takahashi?", ("name", "Takahashi"))
w("en", "customer", "and can I get a name for the callback", "put down Marisol",
  ("name", "Marisol"))
w("en", "customer", None, "my brother Declan set up the direct debit for me", ("name", "Declan"))

# --- Account, order, membership, policy and booking numbers ---------------------------------------
v = digits(19, "2")
w("zh", "customer", None, f"我的订单号是{v}，下单快一个礼拜了", ("account", v))
v = spaced(digits(8, "8"))
w("zh", "customer", "请问您的会员号是多少", f"会员号 {v}", ("account", v))
v = "PA" + digits(10, "1")
s = "P A " + zh_say(grouped(v[2:], [4, 4]))
w("zh", "customer", "麻烦报一下您的保单号", f"保单号是 {s}", ("account", s))
v = digits(10, "1")
s = zh_say(grouped(v, [3, 3, 4]), liang=True)
w("zh", "customer", "请问燃气户号是多少", f"嗯 等一下啊 我看看 是{s}", ("account", s))
v = "VIP " + grouped(digits(8, "0"), [4, 4])
w("zh", "customer", None, f"我会员卡号是{v}，积分怎么没了", ("account", v))
v = "A" + digits(4, "3")
w("zh", "agent", None, f"您的预约号是{v}，到了门店出示一下就行", ("account", v))
v = spaced(digits(10, "0"))
w("zh", "customer", "您的宽带账号是多少", f"宽带账号是 {v}", ("account", v))
v = "GD" + grouped(digits(12, "2"), [4, 4, 4])
w("zh", "customer", "请问您的保单号码", v, ("account", v))
v = zh_say(grouped(digits(10, "1"), [4, 2, 2, 1]))
w("zh", "customer", None, f"订单号是{v} 你听清楚没", ("account", v))
v = "K D " + spaced(digits(6, "7"))
w("zh", "customer", "您的客户编号是多少", f"客户编号 {v}", ("account", v))
v = zh_say(grouped(digits(10, "2"), [5, 2, 3]))
w("zh", "customer", "请提供一下您的资金账户号", f"是那个 {v}", ("account", v))
v = code("HT-9999-99999")
w("zh", "customer", "请问您的合同编号", f"合同编号{v}", ("account", v))
v = spaced(digits(4, "4"))
w("zh", "agent", None, f"给您核对一下，订单尾号是{v}对吗", ("account", v))
v = digits(8, "8")
w("zh", "customer", None, f"酒店给的确认号是{v}", ("account", v))
v = "E" + zh_say(digits(7, "1"))
w("zh", "customer", "请问机票的订单号", f"机票订单号是{v}", ("account", v))
v = zh_say(grouped(digits(10, "1"), [4, 3, 3]))
w("zh", "customer", None, f"水费户号是{v} 我想查下上个月的账单", ("account", v))
v = digits(11, "6")
w("zh", "customer", "请问您的会员卡号", f"{v}这个是会员卡上印的", ("account", v))
v = zh_say(digits(9, "3"), liang=True)
w("zh", "customer", "请报一下您要查的订单号", f"嗯 {v}", ("account", v))
v = code("AA99-9999")
w("zh", "customer", None, f"保单号应该是{v}，我看一下啊，对", ("account", v))
v = grouped(digits(16, "5"), [4, 4, 4, 4])
w("zh", "customer", None, f"帮我查一下这个退货订单{v}", ("account", v))
v = digits(6, "1")
w("zh", "customer", "请问您的会员号后六位", v, ("account", v))
v = zh_say(digits(8, "2"), yao=False)
w("zh", "customer", "您的车险保单号后八位是多少", f"后八位是{v}", ("account", v))
v = digits(12, "9")
w("zh", "agent", None, f"您新的账户号是{v}，请您记一下", ("account", v))
v = spaced(digits(7, "5"))
w("zh", "customer", "您的预订号是多少", f"呃 预订号是 {v} 是订的下周三的", ("account", v))

v = code("999-9999999-9999")
w("en", "customer", None, f"my order number is {v}", ("account", v))
v = code("A9AA9A")
w("en", "customer", "can I get your booking reference", f"yeah it's {v}", ("account", v))
v = spaced(code("AA99999A"))
w("en", "customer", None, f"the confirmation number is {v}", ("account", v))
v = en_say(digits(8, "7"), oh=True, double=True)
w("en", "customer", "what's your membership number", v, ("account", v))
v = code("AA99-9999-A")
w("en", "customer", None, f"policy number is {v}", ("account", v))
v = spaced(digits(9, "0"))
w("en", "customer", "and the account number", f"it's {v}", ("account", v))
v = digits(8, "8")
w("en", "agent", None, f"I have your reservation here, confirmation {v}, for two nights",
  ("account", v))
v = "GLD " + grouped(digits(6, "5"), [2, 4])
w("en", "customer", None, f"my member ID is {v}", ("account", v))
w("en", "customer", None, "the order number is for two eight eight won three seven",
  ("account", "for two eight eight won three seven"))
v = "R E F dash " + spaced(digits(4, "2")) + " dash L P"
w("en", "customer", "could you read me the reference on the email", f"sure {v}", ("account", v))
v = spaced(digits(10, "6"))
w("en", "customer", None, f"loyalty number {v}", ("account", v))
v = spaced(digits(6, "7"))
w("en", "customer", None, f"I'm calling about order number {v}", ("account", v))
v = spaced(digits(9, "3"))
w("en", "customer", None, f"my customer number on the bill is {v}", ("account", v))
w("en", "customer", None, "booking ref is oh X nine double J four",
  ("account", "oh X nine double J four"))
v = "P L C " + spaced(digits(7, "0"))
w("en", "customer", "do you have your policy number handy", f"yeah it's {v}", ("account", v))
v = spaced(digits(4, "4"))
w("en", "customer", None, f"my account number ends in {v}", ("account", v))
v = "W " + spaced(digits(8, "5"))
w("en", "agent", None, f"your new order number is {v}", ("account", v))
v = grouped(digits(8, "4"), [2, 2, 2, 2])
w("en", "customer", None, f"the reservation number they gave me was {v}", ("account", v))
v = spaced(digits(7, "0"))
w("en", "customer", None, f"it's under membership {v}", ("account", v))
v = en_say(digits(4, "8"), oh=True)
w("en", "customer", "and the last four of the account", v, ("account", v))
v = code("AA9999")
w("en", "customer", None, f"um my PNR is {v} I think", ("account", v))
v = en_say(code("99999999"), double=True)
w("en", "customer", "what's the order number on the receipt", f"uh {v}", ("account", v))
v = code("ACC-999999")
w("en", "customer", None, f"my utility account is {v}", ("account", v))
v = "C" + digits(9, "1")
w("en", "agent", None, f"just to confirm, the claim is on policy {v}?", ("account", v))
v = grouped(digits(10, "2"), [3, 3, 4], "-")
w("en", "customer", "what is your account number with us", f"{v}, that's the one on my statement",
  ("account", v))
v = spaced(code("AA9AA9"))
w("en", "customer", None, f"I booked online and the booking code is {v}", ("account", v))

# --- Phone ----------------------------------------------------------------------------------------
v = mobile()
s = grouped(v, [3, 4, 4])
w("zh", "customer", None, f"我手机号是{s}，有事打这个", ("phone", s))
v = mobile()
s = zh_say(grouped(v, [3, 4, 4]))
w("zh", "customer", "请留一个您的联系电话", s, ("phone", s))
v = mobile()
s = zh_say(v, liang=True)
w("zh", "customer", None, f"你记一下 {s} 这是我老公的号", ("phone", s))
v = "0" + rng.choice(["571", "755", "27", "29", "531"]) + "-" + digits(8, "8")
w("zh", "customer", None, f"家里座机是{v}，白天没人", ("phone", v))
v = digits(4, "1")
w("zh", "customer", "您的手机后四位是多少", f"后四位是{v}", ("phone", v))
v = mobile()
w("zh", "customer", None, f"换成这个号码吧{v}原来那个停机了", ("phone", v))
v = mobile()
s = spaced(v)
w("zh", "customer", "方便留个电话吗", s, ("phone", s))
v = mobile()
s = zh_say(v[:3]) + " " + v[3:7] + " " + zh_say(v[7:])
w("zh", "customer", None, f"号码是{s}", ("phone", s))
v = "400-" + digits(3, "8") + "-" + digits(4, "1")
w("zh", "customer", None, f"我打的是你们{v}那个热线，转了半天", ("phone", v))
v = mobile()
s = f"{v[:3]}****{v[7:]}"
w("zh", "agent", None, f"跟您确认一下，预留手机号是{s}对吗", ("phone", s))

v = "(" + digits(3, "6") + ") " + digits(3, "2") + "-" + digits(4, "0")
w("en", "customer", None, f"you can reach me at {v}", ("phone", v))
v = "07" + digits(9, "7")
s = en_say(v, oh=True, double=True)
w("en", "customer", "what's the best number to reach you on", s, ("phone", s))
v = digits(4, "2")
w("en", "customer", None, f"the last four of my phone number are {v}", ("phone", v))
v = digits(3, "3") + " " + digits(3, "4") + " " + digits(4, "1")
w("en", "customer", None, f"my cell is {v} and my work line is the same", ("phone", v))
v = "+44 20 " + digits(4, "7") + " " + digits(4, "3")
w("en", "customer", None, f"call my office on {v} after nine", ("phone", v))
v = en_say(digits(10, "5"))
w("en", "customer", "and a callback number", f"sure {v}", ("phone", v))
v = digits(3, "8") + "." + digits(3, "5") + "." + digits(4, "6")
w("en", "customer", None, f"text me at {v} when it ships", ("phone", v))
v = "1-800-" + digits(3, "6") + "-" + digits(4, "2")
w("en", "agent", None, f"you can also call the claims line at {v}", ("phone", v))

# --- ID -------------------------------------------------------------------------------------------
for tmpl in ["我的身份证号是{}", "身份证{}", "证件号码{}，您核对一下"]:
    v = zh_id()
    w("zh", "customer", None, tmpl.format(v), ("id", v))
v = zh_id()
s = grouped(v, [6, 8, 4])
w("zh", "customer", "请提供一下您的身份证号码", s, ("id", s))
v = zh_id()
s = zh_say(grouped(v, [6, 8, 4]))
w("zh", "customer", None, f"身份证号码是 {s}", ("id", s))
v = zh_id()
s = zh_say(v, liang=True)
w("zh", "customer", "请报一下您的证件号", s, ("id", s))
v = zh_id()
w("zh", "customer", "身份证后四位是多少", f"后四位{v[-4:]}", ("id", v[-4:]))
v = zh_id()
w("zh", "customer", None, f"身份证尾号{zh_say(v[-6:])}", ("id", zh_say(v[-6:])))
v = zh_id()
w("zh", "customer", None, f"我替我妈办的 她身份证是{v}", ("id", v))
v = zh_id()
s = v[:10] + " " + v[10:]
w("zh", "customer", None, f"嗯 身份证号 {s} 对", ("id", s))
v = "E" + digits(8, "8")
w("zh", "customer", None, f"我用护照订的，护照号{v}", ("id", v))
v = "C" + digits(8, "1")
s = "C " + zh_say(v[1:])
w("zh", "customer", "请问您的港澳通行证号码", s, ("id", s))
v = zh_id()
s = f"{v[:6]}********{v[-4:]}"
w("zh", "agent", None, f"您登记的身份证号码是{s}，对吗", ("id", s))
v = zh_id()
s = zh_say(v[:6]) + " 呃 " + zh_say(v[6:])
w("zh", "customer", None, f"身份证是{s}", ("id", zh_say(v[:6])), ("id", zh_say(v[6:])))

for tmpl in ["my social security number is {}", "SSN {}", "sure, it's {}"]:
    v = f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
    q = "can you verify your social security number" if tmpl.startswith("sure") else None
    w("en", "customer", q, tmpl.format(v), ("id", v))
v = str(rng.randint(1000, 9999))
w("en", "customer", "the last four of your social please", v, ("id", v))
v = str(rng.randint(1000, 9999))
w("en", "customer", None, f"last four of my SSN are {en_say(v)}", ("id", en_say(v)))
v = f"{rng.randint(100, 665)}{rng.randint(10, 99)}{rng.randint(1000, 9999)}"
s = en_say(v, oh=True)
w("en", "customer", None, f"social is {s}", ("id", s))
v = digits(9, "5")
w("en", "customer", None, f"my passport number is {v}", ("id", v))
v = "P" + digits(8, "3")
w("en", "customer", "and your passport number", spaced(v), ("id", spaced(v)))
v = f"{rng.randint(100, 665)} {rng.randint(10, 99)} {rng.randint(1000, 9999)}"
w("en", "customer", None, f"uh my social's {v}", ("id", v))
v = digits(4, "6")
w("en", "agent", None, f"I see the SSN ending in {v} on file, is that yours?", ("id", v))

v = zh_id()
s = zh_say(grouped(v, [3, 3, 4, 4, 4]), liang=True)
w("zh", "customer", "为了核实身份 请您说一下身份证号", f"好的 {s}", ("id", s))
v = zh_id()
while not v.endswith("X"):
    v = zh_id()
w("zh", "customer", None, f"我身份证号码{v[:-1]}叉", ("id", f"{v[:-1]}叉"))
v = zh_id()
w("zh", "customer", "请问身份证号码的后六位", zh_say(v[-6:], liang=True), ("id", zh_say(v[-6:], liang=True)))
v = f"{rng.randint(100, 665)}-{rng.randint(10, 99)}-{rng.randint(1000, 9999)}"
w("en", "customer", None, f"for the tax form my husband's SSN is {v}", ("id", v))
v = "5" + digits(8, "0")
w("en", "customer", "I'll need the passport number of each traveller",
  f"mine is {en_say(v, oh=True)}", ("id", en_say(v, oh=True)))

# --- Card -----------------------------------------------------------------------------------------
v = luhn("622848")
w("zh", "customer", None, f"我的银行卡号是{v}", ("card", v))
v = luhn("621700")
s = grouped(v, [4, 4, 4, 4])
w("zh", "customer", "请提供一下您的卡号", s, ("card", s))
v = luhn("622588")
s = zh_say(grouped(v, [4, 4, 4, 4]))
w("zh", "customer", None, f"卡号 {s}", ("card", s))
v = luhn("625907")
w("zh", "customer", None, f"信用卡尾号{v[-4:]}，昨天被刷了两笔", ("card", v[-4:]))
v = luhn("622202")
w("zh", "customer", "请问卡号后四位", zh_say(v[-4:], liang=True), ("card", zh_say(v[-4:], liang=True)))
v = luhn("603367", 19)
w("zh", "customer", None, f"是那张{v}的储蓄卡", ("card", v))
v = luhn("622700")
w("zh", "agent", None, f"您尾号{v[-4:]}的信用卡本期账单已出", ("card", v[-4:]))
v = luhn("436742")
s = spaced(v)
w("zh", "customer", None, f"卡号是 {s}", ("card", s))
v = luhn("628288")
s = zh_say(v[:8]) + " " + zh_say(v[8:])
w("zh", "customer", "绑定的是哪张卡", f"嗯 {s}", ("card", s))
v = luhn("622155")
w("zh", "customer", None, f"我要挂失卡号末四位是{v[-4:]}那张", ("card", v[-4:]))
v = luhn("620522")
s = v[:6] + " " + v[6:]
w("zh", "customer", None, f"那张卡{s}被吞了", ("card", s))
v = luhn("518710")
w("zh", "customer", None, f"信用卡号{v[:4]} {v[4:8]} 呃 {v[8:12]} {v[12:]}",
  ("card", f"{v[:4]} {v[4:8]}"), ("card", f"{v[8:12]} {v[12:]}"))

v = luhn("4")
s = grouped(v, [4, 4, 4, 4])
w("en", "customer", None, f"the card number is {s}", ("card", s))
v = luhn("5")
s = grouped(v, [4, 4, 4, 4], "-")
w("en", "customer", "what card would you like to use", f"my mastercard {s}", ("card", s))
v = luhn("37", 15)
s = grouped(v, [4, 6, 5])
w("en", "customer", None, f"use the amex {s}", ("card", s))
v = luhn("4")
w("en", "customer", None, f"the last four of the card are {v[-4:]}", ("card", v[-4:]))
v = luhn("4")
w("en", "customer", "which card was charged", f"the one ending in {en_say(v[-4:], oh=True)}",
  ("card", en_say(v[-4:], oh=True)))
v = luhn("6011")
s = en_say(grouped(v, [4, 4, 4, 4]), double=True)
w("en", "customer", None, f"card number {s}", ("card", s))
v = luhn("4")
w("en", "agent", None, f"I can see the debit card ending {v[-4:]} was used", ("card", v[-4:]))
v = luhn("5")
w("en", "customer", None, f"{v} expiry oh nine twenty eight", ("card", v))
v = luhn("4")
s = spaced(v)
w("en", "customer", "and the long number on the front", s, ("card", s))
v = luhn("5")
w("en", "customer", None, f"so it's {v[:4]} {v[4:8]} sorry {v[8:12]} {v[12:]}",
  ("card", f"{v[:4]} {v[4:8]}"), ("card", f"{v[8:12]} {v[12:]}"))
v = luhn("4")
w("en", "customer", None, f"I lost my visa the one that ends in {v[-4:]}", ("card", v[-4:]))
v = luhn("4")
w("en", "customer", None, f"my new card is {v[:4]} {v[4:8]} {v[8:12]} {v[12:]}",
  ("card", f"{v[:4]} {v[4:8]} {v[8:12]} {v[12:]}"))

v = luhn("622609")
s = zh_say(v, liang=True)
w("zh", "customer", None, f"卡号啊 {s}", ("card", s))
v = luhn("4")
w("en", "customer", "can I get the card number", f"yeah {grouped(v, [4, 4, 4, 4])} that's a visa",
  ("card", grouped(v, [4, 4, 4, 4])))
v = luhn("5")
w("en", "customer", None, f"the card ending {en_say(v[-4:], double=True)} was stolen",
  ("card", en_say(v[-4:], double=True)))

# --- E-mail ---------------------------------------------------------------------------------------
for lang, spk, q, text, sub in [
    ("zh", "customer", None, "我的邮箱是lixiaoyu_1990@163.com", "lixiaoyu_1990@163.com"),
    ("zh", "customer", "请问您的邮箱地址", "qq邮箱 8830174512@qq.com", "8830174512@qq.com"),
    ("zh", "customer", None, "发到这个邮箱 w a n g 艾特 一二六 点 com", "w a n g 艾特 一二六 点 com"),
    ("zh", "customer", None, "邮箱是 chen点jiahui 艾特 foxmail 点 com", "chen点jiahui 艾特 foxmail 点 com"),
    ("zh", "customer", "电子发票发到哪个邮箱", "ouyang.f@sina.cn", "ouyang.f@sina.cn"),
    ("zh", "customer", None, "你发我公司邮箱吧 zhao.min@huaxin-tech.com.cn", "zhao.min@huaxin-tech.com.cn"),
    ("zh", "customer", None, "邮箱 幺三五七二四六八九零 at qq.com", "幺三五七二四六八九零 at qq.com"),
    ("zh", "customer", "邮箱地址能再说一遍吗", "s h e n y u 下划线 八八 艾特 gmail 点 com",
     "s h e n y u 下划线 八八 艾特 gmail 点 com"),
    ("zh", "agent", None, "确认一下，您的邮箱是xu_ting88@126.com对吧", "xu_ting88@126.com"),
    ("zh", "customer", None, "我那个邮箱ljh2003@yeah.net收不到验证码", "ljh2003@yeah.net"),
    ("zh", "customer", None, "邮箱写的是hanmeimei at outlook dot com", "hanmeimei at outlook dot com"),
    ("zh", "customer", None, "以前的邮箱是guo_lei@139.com现在不用了", "guo_lei@139.com"),
    ("zh", "customer", None, "我老婆的邮箱 yan.qiu@hotmail.com 也抄送一下", "yan.qiu@hotmail.com"),
    ("en", "customer", None, "my email is maria.gonzalez84@gmail.com",
     "maria.gonzalez84@gmail.com"),
    ("en", "customer", "what's the best email for you", "it's d underscore okafor at yahoo dot com",
     "d underscore okafor at yahoo dot com"),
    ("en", "customer", None, "send it to tom dot hughes at outlook dot co dot uk",
     "tom dot hughes at outlook dot co dot uk"),
    ("en", "customer", None, "email address is p.sharma@brightlane.io", "p.sharma@brightlane.io"),
    ("en", "customer", None, "can you update it to k-i-m-j-i at hotmail dot com",
     "k-i-m-j-i at hotmail dot com"),
    ("en", "customer", "and the email on the account", "jlarsen1971@aol.com",
     "jlarsen1971@aol.com"),
    ("en", "agent", None, "I'll send the receipt to ahmed.k@protonmail.com, is that right?",
     "ahmed.k@protonmail.com"),
    ("en", "customer", None, "uh it's mike m i k e seventy seven at icloud dot com",
     "mike m i k e seventy seven at icloud dot com"),
    ("en", "customer", None, "my work email is rfitzgerald@hollisterlaw.com",
     "rfitzgerald@hollisterlaw.com"),
    ("en", "customer", None, "it should be under sofia_rossi@libero.it", "sofia_rossi@libero.it"),
    ("en", "customer", None, "the email is annie b at gmail dot com annie with an i e",
     "annie b at gmail dot com"),
    ("en", "customer", None, "did you get my email from bwashington at comcast dot net",
     "bwashington at comcast dot net"),
    ("en", "customer", None, "send a copy to my son too, liam.obrien@gmail.com",
     "liam.obrien@gmail.com"),
    ("en", "customer", None, "please use nadia.h@mail.ru for everything", "nadia.h@mail.ru"),
]:
    w(lang, spk, q, text, ("email", sub))

# --- Date of birth --------------------------------------------------------------------------------
for lang, spk, q, text, sub in [
    ("zh", "customer", None, "我是1987年3月14号出生的", "1987年3月14号"),
    ("zh", "customer", "请问您的出生日期", "一九九二年十月八日", "一九九二年十月八日"),
    ("zh", "customer", None, "出生年月日是1975年11月2日", "1975年11月2日"),
    ("zh", "customer", None, "我生日是6月30号 你们说生日当月有优惠", "6月30号"),
    ("zh", "customer", "核对一下您的出生年月", "八八年五月的", "八八年五月"),
    ("zh", "customer", None, "我妈是1956年的 具体哪天她自己也记不清", "1956年"),
    ("zh", "customer", None, "孩子出生日期是2019年9月17日 要给他上保险", "2019年9月17日"),
    ("zh", "customer", None, "出生日期 2001 05 23", "2001 05 23"),
    ("zh", "customer", "您是哪年出生的", "我是九零年的", "九零年"),
    ("zh", "customer", None, "生日是1964.12.09 你看系统里对不对", "1964.12.09"),
    ("zh", "agent", None, "系统里您的出生日期是1983年7月21日，对吗", "1983年7月21日"),
    ("zh", "customer", None, "我爸出生日期是一九四九年二月二十号", "一九四九年二月二十号"),
    ("zh", "customer", None, "被保险人是我 生日1998年1月5号", "1998年1月5号"),
    ("zh", "customer", "请提供被保人的出生日期", "二零一五年 四月 十一号", "二零一五年 四月 十一号"),
    ("en", "customer", None, "my date of birth is March 5th 1982", "March 5th 1982"),
    ("en", "customer", "can you confirm your date of birth", "oh four eleven nineteen ninety",
     "oh four eleven nineteen ninety"),
    ("en", "customer", None, "I was born on the 3rd of June 1979", "3rd of June 1979"),
    ("en", "customer", None, "DOB 12/07/1968", "12/07/1968"),
    ("en", "customer", "and your birthday", "september twenty second eighty seven",
     "september twenty second eighty seven"),
    ("en", "customer", None, "my daughter was born on 2 February 2011", "2 February 2011"),
    ("en", "customer", None, "date of birth is the fourteenth of august nineteen fifty nine",
     "the fourteenth of august nineteen fifty nine"),
    ("en", "customer", "what year were you born", "1993", "1993"),
    ("en", "agent", None, "I have your date of birth as January 9, 1971, is that correct?",
     "January 9, 1971"),
    ("en", "customer", None, "born 1 1 1990 that's day first", "1 1 1990"),
    ("en", "customer", None, "my birthday's on the 29th of February 1996 actually",
     "29th of February 1996"),
    ("en", "customer", None, "the insured person is my father, born in 1944", "1944"),
    ("en", "customer", "what's your date of birth", "uh 10 31 85", "10 31 85"),
    ("en", "customer", None, "I was born in May of 1977", "May of 1977"),
]:
    w(lang, spk, q, text, ("dob", sub))

# --- Address --------------------------------------------------------------------------------------
for lang, spk, q, text, sub in [
    ("zh", "customer", None, "收货地址改成上海市浦东新区张杨路1588弄12号702室",
     "上海市浦东新区张杨路1588弄12号702室"),
    ("zh", "customer", "请问您的详细地址", "朝阳区望京西园三区312栋2单元1101",
     "朝阳区望京西园三区312栋2单元1101"),
    ("zh", "customer", None, "我住在成都市武侯区玉林北路7号附3号", "成都市武侯区玉林北路7号附3号"),
    ("zh", "customer", None, "寄到江苏省苏州市吴中区木渎镇金山路一百二十号 门卫收就行",
     "江苏省苏州市吴中区木渎镇金山路一百二十号"),
    ("zh", "customer", "地址是哪里", "湖北省黄冈市浠水县洗马镇桃园村五组", "湖北省黄冈市浠水县洗马镇桃园村五组"),
    ("zh", "customer", None, "就是翠湖花园小区 8栋 3单元 502", "翠湖花园小区 8栋 3单元 502"),
    ("zh", "customer", None, "邮编是510630", "510630"),
    ("zh", "customer", None, "地址写的是广州天河区体育西路幺零三号 写错了", "广州天河区体育西路幺零三号"),
    ("zh", "agent", None, "跟您核对一下，寄送地址是南京市鼓楼区湖南路16号华侨大厦1806，对吗",
     "南京市鼓楼区湖南路16号华侨大厦1806"),
    ("zh", "customer", None, "我搬家了 新地址是西安市雁塔区科技路48号创业大厦B座", "西安市雁塔区科技路48号创业大厦B座"),
    ("zh", "customer", None, "送到我公司 深圳南山区粤海街道高新南九道10号", "深圳南山区粤海街道高新南九道10号"),
    ("zh", "customer", None, "我爸那边是河南省周口市郸城县南丰镇李楼村", "河南省周口市郸城县南丰镇李楼村"),
    ("en", "customer", None, "my address is 42 Willow Crescent apartment 3B",
     "42 Willow Crescent apartment 3B"),
    ("en", "customer", "what's the postcode", "M14 5RT", "M14 5RT"),
    ("en", "customer", None, "ship it to 1187 north Maple Avenue unit 12, Dayton, Ohio 45402",
     "1187 north Maple Avenue unit 12, Dayton, Ohio 45402"),
    ("en", "customer", None, "we moved to 9 Brackenbury Close, Leeds LS6 2QP",
     "9 Brackenbury Close, Leeds LS6 2QP"),
    ("en", "customer", "and the billing address", "seven twenty three elm street",
     "seven twenty three elm street"),
    ("en", "customer", None, "my zip code is 30318", "30318"),
    ("en", "agent", None, "I'll send the new card to 56 Harbour View Road, flat 4, is that right?",
     "56 Harbour View Road, flat 4"),
    ("en", "customer", None, "send the statements to 411 Prairie Road Sioux Falls South Dakota 57104",
     "411 Prairie Road Sioux Falls South Dakota 57104"),
    ("en", "customer", None, "the house is 3 Glenmore Terrace, Dublin 6",
     "3 Glenmore Terrace, Dublin 6"),
    ("en", "customer", None, "uh fourteen oh five Ridgeview drive suite two hundred",
     "fourteen oh five Ridgeview drive suite two hundred"),
    ("en", "customer", None, "deliver it to my mum's at 18 Kelvin Way, postcode G3 7PQ",
     "18 Kelvin Way, postcode G3 7PQ"),
    ("en", "customer", "what's the address on the account", "2290 Sycamore Lane apt 7",
     "2290 Sycamore Lane apt 7"),
]:
    w(lang, spk, q, text, ("address", sub))

# --- Hard negatives: close to PII, but none -------------------------------------------------------
for lang, spk, q, text in [
    # The agent's own name and staff number.
    ("zh", "agent", None, "您好，工号3306的客服小陈为您服务"),
    ("zh", "agent", None, "我是今天的值班专员李婷，有什么可以帮您"),
    ("zh", "agent", None, "您好 这里是客服中心 我是话务员幺五二八号"),
    ("zh", "agent", None, "如果您对我的服务满意，请记住我的工号 8 0 7 7"),
    ("zh", "agent", "你叫什么名字 我要投诉你", "我是客服专员周丽，工号是四四零九"),
    ("en", "agent", None, "my name is Sarah and I'll be helping you today"),
    ("en", "agent", None, "thanks for calling, this is Devon, agent number 2 1 7 4"),
    ("en", "agent", "what was your name again", "it's Kendra, K from the billing team"),
    ("en", "agent", None, "you've reached Marco in customer care, how may I help"),
    ("en", "agent", None, "if you call back just ask for Priyanka, extension 3304"),
    # Amounts, quantities, times, durations.
    ("zh", "customer", None, "这个月账单怎么是三百八十六块四 平时才一百多"),
    ("zh", "customer", None, "我买了六箱牛奶 一箱十二盒 一共四百三十二"),
    ("zh", "agent", None, "您的额度是两万八千元，目前可用一万五千三"),
    ("zh", "customer", None, "我从上午十点零五分等到现在"),
    ("zh", "agent", None, "退款金额1299元会在七个工作日内退回"),
    ("zh", "customer", None, "积分显示只有2860分 上个月还有5000多"),
    ("zh", "customer", None, "我打了六次电话了 每次都等二十多分钟"),
    ("zh", "agent", None, "请您按1号键查询余额 按2号键转人工"),
    ("en", "customer", None, "I was billed 1,249 dollars instead of 249"),
    ("en", "customer", None, "we ordered 12 boxes and got 10"),
    ("en", "agent", None, "the late fee of 35 dollars and 50 cents has been waived"),
    ("en", "customer", None, "I've been waiting since 8 45 this morning"),
    ("en", "agent", None, "you have 4,350 reward points available"),
    ("en", "customer", None, "your app says 2 to 3 business days but it's been 11"),
    ("en", "agent", None, "press 1 for billing or 2 for technical support"),
    # Flight and train numbers, product models, versions.
    ("zh", "customer", None, "我坐的是CA1519航班 行李没到"),
    ("zh", "customer", None, "G7136次高铁晚点了一个小时"),
    ("zh", "customer", None, "我买的是美的KFR-35GW那款空调"),
    ("zh", "customer", None, "手机系统升级到16.2以后就老是闪退"),
    ("zh", "customer", None, "我要退的是那个小米14 Ultra 512G的"),
    ("zh", "agent", None, "您订的是明早07:40的MU5137，12号登机口"),
    ("en", "customer", None, "I was on flight UA 892 from Chicago"),
    ("en", "customer", None, "the printer is an HP LaserJet M404dn"),
    ("en", "customer", None, "my laptop model is XPS 9530 with 32 gigs of RAM"),
    ("en", "agent", None, "train 2174 to Boston is running about 20 minutes late"),
    ("en", "customer", None, "the firmware version says 4.1.27"),
    # Streets, cities and districts named alone, venues and companies.
    ("zh", "customer", None, "就在人民路上 离地铁站不远"),
    ("zh", "customer", None, "我在杭州 你们杭州有门店吗"),
    ("zh", "customer", None, "你们浦东那个网点几点关门"),
    ("zh", "agent", None, "最近的营业厅在解放大道那边"),
    ("zh", "customer", None, "我是在京东上买的 不是在你们官网"),
    ("zh", "customer", None, "顺丰的快递员说放驿站了"),
    ("en", "customer", None, "I'm somewhere on Market Street right now"),
    ("en", "customer", None, "is there a branch in Manchester"),
    ("en", "customer", None, "I bought it at Best Buy not on your website"),
    ("en", "agent", None, "our downtown office on Elm Street closes at six"),
    ("en", "customer", None, "my bank is Wells Fargo if that matters"),
    # Public figures.
    ("zh", "customer", None, "你们广告里那个刘德华代言的套餐还有吗"),
    ("zh", "customer", None, "就像马云说的 客户第一嘛"),
    ("en", "customer", None, "it's the phone Taylor Swift advertises"),
    ("en", "customer", None, "I saw Elon Musk tweet about this outage"),
    # Dates of bookings, events and statements.
    ("zh", "customer", None, "我订的是12月24号入住 26号退房"),
    ("zh", "agent", None, "您的账单日是每月5号，还款日是23号"),
    ("zh", "customer", None, "上个月18号扣的款"),
    ("zh", "customer", None, "合同是2022年8月签的 到明年8月到期"),
    ("en", "customer", None, "my check in is on the 22nd and check out the 25th"),
    ("en", "agent", None, "your statement dated November 3rd shows the charge"),
    ("en", "customer", None, "I signed up back in 2019 when you had the promo"),
    ("en", "customer", None, "the appointment was for June 14 at 10 30"),
    # Words that ask for PII, or name it without giving it.
    ("zh", "customer", None, "我的会员号就是我手机号 你查一下"),
    ("zh", "customer", None, "卡号我记不住 卡在家里"),
    ("zh", "customer", None, "身份证我带着呢 要拍照吗"),
    ("zh", "agent", None, "麻烦您提供一下订单号和收货人姓名"),
    ("zh", "customer", None, "我的名字你们系统里应该有"),
    ("en", "customer", None, "I don't have my policy number with me"),
    ("en", "agent", None, "could you please confirm your full name and date of birth"),
    ("en", "customer", None, "the email you sent went to spam"),
    ("en", "customer", None, "I changed my address last month but the card went to the old one"),
    ("en", "customer", None, "my account got locked after three tries"),
    # Titles and words that look like names.
    ("zh", "customer", None, "你们那个经理呢 叫你们领导来"),
    ("zh", "customer", None, "快递小哥态度很差"),
    ("en", "customer", None, "Mr Right Plumbing did the install"),
    ("en", "customer", None, "can I speak to a supervisor please"),
]:
    neg(lang, spk, q, text)

# --- Output ---------------------------------------------------------------------------------------
for k, (lang, spk, q, text, labels) in enumerate(W):
    add("written", "callqa", lang, spk, text, labels, q, ref=k)
for k, (lang, spk, q, text) in enumerate(NEG):
    add("written", "callqa", lang, spk, text, [], q, ref=f"neg{k}")

ids = [it["id"] for it in items]
if len(ids) != len(set(ids)):
    raise SystemExit("an id is used twice")
out = HERE / "pii_heldout2.jsonl"
with out.open("w", encoding="utf-8") as f:
    for it in items:
        f.write(json.dumps(it, ensure_ascii=False) + "\n")
counts = {}
for it in items:
    for p in it["pii"]:
        key = f"{p['type']}/{it['lang']}"
        counts[key] = counts.get(key, 0) + 1
src = {}
for it in items:
    src[it["source"]] = src.get(it["source"], 0) + 1
print(f"{out.name}: {len(items)} items, {sum(counts.values())} spans, "
      f"{sum(1 for it in items if it['id'].startswith('written:neg'))} written hard negatives")
print("spans per type/lang:", dict(sorted(counts.items())))
print("items per source:", src)
