"""Build crates/callqa-text/eval/pii_heldout.jsonl: a held-out PII evaluation set (issue 12).

Run at development time only (the product and its tests read the committed JSONL):

    python3 crates/callqa-text/eval/build_pii_heldout.py [../shared/data/dialog_real]

The set was labelled before the redactor was run on any of it, and it is scored as it is: the
rules are not to be tuned against it (see README, "Personal data"). Every line has the format
of `pii_eval.jsonl` with `split: "heldout"`.

Sources (each item carries `source` and `licence`):
- Corpus lines, seeded samples (random.Random(1200 + i)) from dialogues that `pii_eval.jsonl`
  does not use at all: per corpus, N lines among those with a cue (digits, phone, address, name,
  e-mail, birth, account, card words) and M other lines.
  - SGD (`sgd_en.jsonl.gz`, CC BY-SA 4.0; the lines taken from it stay CC BY-SA 4.0): 35 + 20.
  - Taskmaster-1/2/3 samples (`taskmaster_samples_en.jsonl.gz`, CC BY 4.0): 35 + 15.
  - MultiWOZ 2.1 val/test (`multiwoz21_valtest_en.jsonl.gz`, MIT / CC BY 4.0): 30 + 10.
  - CrossWOZ val/test (`crosswoz_valtest_zh.jsonl.gz`, Apache-2.0): 30 + 10.
  - KdConv dev/test (`kdconv_devtest_zh.jsonl.gz`, Apache-2.0): 25 + 10.
  Not used: the Taobao e-commerce sample (`dialog_zh/ecd_taobao_sample`, no licence stated) and
  STC-3 (`dialog_*/stc3`, dialogue text for non-commercial research only): this file is
  committed to the repository.
- Written call-centre cases (this file, licence as callqa's own), Mandarin and English, written
  from the entity list of issue 12, not from the redactor's output. Numbers come from a seeded
  generator: resident IDs with a valid check digit (GB 11643), Luhn-valid card numbers, mobile
  and landline numbers; each is then written as digits, in groups, spoken (幺/两/零, "oh",
  "double") or ASR-garbled.

Labelling rules (labels by reading the text; the span is the first occurrence of the labelled
substring, or the n-th with a third element, and the builder checks each is present):
- name: a private person's name: the caller's, a person the caller names (account holder,
  family member, payee), the name the agent addresses the caller by (李先生 labels 李), letters
  spelled one by one. Not labelled: the agent's own name and staff number, businesses and
  venues, public figures (KdConv's actors, singers, directors), professionals offered from a
  directory by name (SGD's doctors and stylists).
- phone: any telephone number given in full or in part (area code included), whoever's it is:
  a venue's number is labelled as well (the redactor cannot know whose number it is).
- id: a national or resident ID number (中国居民身份证, SSN, passport), in full or in part
  (后四位, "last four").
- card: a bank or credit card number, in full or in part (尾号, "last four of the card").
- account: an identifier of the customer's account, order, membership, policy or booking,
  whoever says it (a booking reference the agent reads out identifies the customer's booking).
  Not labelled: train and flight numbers, product model numbers, amounts, quantities.
- address: a street address with a house or building number, a unit/flat/room, a postal code
  (ZIP, UK postcode), or a Chinese address from province/city/district down to road, street,
  number, village, 小区, 栋, 单元, 室. A street, city or district named alone is not labelled.
- email: an e-mail address, written or spoken ("at", "dot", 艾特, 点).
- dob: a private person's date of birth (or the year or month of it when given as such). Not
  labelled: other dates (bookings, events, statements), public figures' birth dates.
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

items = []


def add(source, licence, lang, speaker, text, labels, question=None, ref=None):
    pii = []
    for lab in labels:
        kind, sub = lab[0], lab[1]
        nth = lab[2] if len(lab) > 2 else 0
        at = -1
        for _ in range(nth + 1):
            at = text.find(sub, at + 1)
        if at < 0:
            raise SystemExit(f"label {sub!r} not in {text!r}")
        pii.append({"type": kind, "start_char": at, "end_char": at + len(sub), "text": sub})
    items.append(
        {
            "id": f"{source}:{ref}" if ref is not None else f"{source}:{len(items)}",
            "source": source,
            "licence": licence,
            "split": "heldout",
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
# Dialogues the first evaluation set drew from are left out entirely.
USED = set()
for line in (HERE / "pii_eval.jsonl").open(encoding="utf-8"):
    parts = json.loads(line)["id"].split(":")
    if len(parts) >= 3:
        USED.add(parts[1])

CUE_EN = re.compile(
    r"\d{3,}|phone|number|address|street|road|avenue|zip|post ?code|e-?mail|@|my name|name is|"
    r"this is|birth|born|account|card|mr\.?\s|mrs\.?\s|ms\.?\s",
    re.I,
)
CUE_ZH = re.compile(r"\d{3,}|电话|手机|号码|地址|路|街|号|邮箱|我叫|姓|先生|女士|出生|生日|账号|卡")

# (file, source, licence, lang, cue, lines with a cue, other lines)
CORPORA = [
    ("sgd_en.jsonl.gz", "sgd", "CC BY-SA 4.0", "en", CUE_EN, 35, 20),
    ("taskmaster_samples_en.jsonl.gz", "taskmaster", "CC BY 4.0", "en", CUE_EN, 35, 15),
    ("multiwoz21_valtest_en.jsonl.gz", "multiwoz21", "MIT", "en", CUE_EN, 30, 10),
    ("crosswoz_valtest_zh.jsonl.gz", "crosswoz", "Apache-2.0", "zh", CUE_ZH, 30, 10),
    ("kdconv_devtest_zh.jsonl.gz", "kdconv", "Apache-2.0", "zh", CUE_ZH, 25, 10),
]

# Labels per "dialog_id:turn"; a sampled line not named here has no PII.
LABELS = {
    # SGD: venue addresses and phone numbers (synthetic database values).
    "sgd-train-31_00004:5": [("address", "420 north bayshore boulevard # 1")],
    "sgd-test-13_00047:3": [("address", "2891 University Avenue")],
    "sgd-train-110_00123:5": [("address", "1030 Main Street")],
    "sgd-train-126_00077:5": [("address", "3200 Kearney Street Bldg 1")],
    "sgd-dev-20_00070:21": [("phone", "+1 415-563-0800"), ("address", "495 Jefferson Street")],
    "sgd-train-112_00020:13": [("phone", "415-824-1335")],
    "sgd-train-127_00060:11": [("address", "835 Market Street")],
    "sgd-train-98_00020:13": [("phone", "+1 800-224-7835")],
    "sgd-train-111_00104:19": [("address", "210 San Mateo Road # 104")],
    "sgd-train-87_00055:7": [("phone", "650-593-4300")],
    "sgd-train-10_00099:7": [("address", "401 West Van Buren Street")],
    "sgd-train-63_00022:13": [("phone", "510-525-4425")],
    "sgd-train-10_00080:11": [("address", "420 Mason Street")],
    "sgd-train-124_00052:21": [("address", "425 northwest 9th avenue"), ("phone", "+1 971-351-0230")],
    "sgd-train-45_00070:13": [("address", "1875 South Bascom Avenue")],
    "sgd-dev-19_00085:11": [("address", "2011 doolittle drive # A1")],
    "sgd-test-32_00012:13": [
        ("address", "1101 South Winchester Boulevard # A101"),
        ("phone", "408-296-2926"),
    ],
    # Taskmaster
    "tm1-dlg-3370fcc4-8914-434d-994d-9e741c0707b2:18": [("phone", "222-333-4576")],
    # MultiWOZ: booking references (account), postcodes and street numbers, taxi phone numbers.
    "multiwoz21-val-PMUL3133:9": [("account", "S7WWFYCU")],
    "multiwoz21-val-SNG0651:3": [("address", "cb58pa")],
    "multiwoz21-test-SNG0908:7": [("account", "X7VU6Y8Y")],
    "multiwoz21-val-PMUL1018:13": [("address", "cb21rb")],
    "multiwoz21-val-SNG1069:3": [("address", "Gwydir Street, No. 5"), ("address", "cb12lj")],
    "multiwoz21-test-MUL0072:19": [("account", "5DHN40HK")],
    "multiwoz21-test-MUL0089:17": [("account", "1JBO1R08")],
    "multiwoz21-test-MUL0761:13": [("account", "Y41W8UWB")],
    "multiwoz21-test-PMUL4026:11": [("phone", "07583896240")],
    "multiwoz21-val-PMUL0010:19": [("account", "5D033K1E")],
    "multiwoz21-test-MUL1212:15": [("phone", "07360262437")],
    "multiwoz21-test-SNG0280:5": [("account", "YFF7DKYH")],
    "multiwoz21-val-MUL2016:17": [("address", "154 Chesterton Road")],
    "multiwoz21-val-MUL1663:5": [("account", "DI7P07SO")],
    "multiwoz21-val-MUL0923:11": [("address", "cb58jj")],
    "multiwoz21-val-MUL2289:5": [("account", "0XQV7RNY")],
    # CrossWOZ: venue addresses and phone numbers.
    "crosswoz-test-2979:11": [
        ("address", "北三环东路19号"),
        ("phone", "64431558"),
        ("phone", "64431668"),
    ],
    "crosswoz-val-9867:11": [("address", "北京市密云区石城镇河北村")],
    "crosswoz-test-11034:17": [("address", "北京丰台区马家堡东路71号")],
    "crosswoz-test-7675:7": [("phone", "01065135141")],
    "crosswoz-test-9532:5": [("address", "杨镇汉石桥湿地停车场向北800米(近224省道)")],
    "crosswoz-test-10875:9": [("address", "前门大街38号")],
    "crosswoz-val-10675:5": [("address", "北京西城区平安里西大街30号")],
    "crosswoz-val-9799:11": [("phone", "88681188-6808")],
    "crosswoz-val-11734:3": [("phone", "010-65666606")],
    "crosswoz-test-10636:15": [("phone", "60419309")],
    # KdConv: a sight's phone numbers (public figures' birth dates are not labelled).
    "kdconv-travel-dev-0146:10": [("phone", "010-62599886"), ("phone", "010-62591264")],
}


def pick(rows, cue, n_cue, n_other, seed):
    rows = [r for r in rows if r["dialog_id"] not in USED and r["text"].strip()]
    rng = random.Random(seed)
    cued = [r for r in rows if cue.search(r["text"])]
    a = rng.sample(cued, min(n_cue, len(cued)))
    keys = {(r["dialog_id"], r["turn"]) for r in a}
    rest = [r for r in rows if (r["dialog_id"], r["turn"]) not in keys]
    return a + rng.sample(rest, n_other)


taken = set()
for i, (name, source, licence, lang, cue, n_cue, n_other) in enumerate(CORPORA):
    rows = read(name)
    dialogs = {}
    for r in rows:
        dialogs.setdefault(r["dialog_id"], []).append(r)
    for v in dialogs.values():
        v.sort(key=lambda d: d["turn"])
    for r in pick(rows, cue, n_cue, n_other, 1200 + i):
        key = f"{r['dialog_id']}:{r['turn']}"
        taken.add(key)
        lines = dialogs[r["dialog_id"]]
        at = next(j for j, d in enumerate(lines) if d["turn"] == r["turn"])
        speaker = r["speaker"] if r["speaker"] in ("agent", "customer") else "customer"
        add(source, licence, lang, speaker, r["text"], LABELS.get(key, []),
            question_before(lines, at), ref=key)
stale = set(LABELS) - taken
if stale:
    raise SystemExit(f"labels for lines not in the sample: {sorted(stale)}")

# --- Written cases: number generators --------------------------------------------------------------
rng = random.Random(20261203)

ZH_DIGIT = "零一二三四五六七八九"
EN_DIGIT = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def zh_id():
    """An 18-character resident ID with a valid GB 11643 check character."""
    region = rng.choice(["110105", "310115", "440305", "510104", "330106", "420102", "370202",
                         "320583", "210203", "610113"])
    birth = f"{rng.randint(1955, 2004)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
    body = region + birth + f"{rng.randint(0, 999):03d}"
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return body + "10X98765432"[sum(int(c) * k for c, k in zip(body, w)) % 11]


def luhn(prefix, length=16):
    """A Luhn-valid card number starting with `prefix`."""
    body = prefix + "".join(str(rng.randint(0, 9)) for _ in range(length - len(prefix) - 1))
    total = 0
    for k, c in enumerate(reversed(body)):
        d = int(c)
        if k % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return body + str((10 - total % 10) % 10)


def mobile():
    return rng.choice(["138", "139", "150", "186", "133", "177", "159", "188"]) + "".join(
        str(rng.randint(0, 9)) for _ in range(8))


def digits(n):
    return "".join(str(rng.randint(0, 9)) for _ in range(n))


def group(s, sizes, sep=" "):
    out, at = [], 0
    for n in sizes:
        out.append(s[at:at + n])
        at += n
    if at < len(s):
        out.append(s[at:])
    return sep.join(out)


def zh_spoken(s, yao=True, liang=False):
    """Digits as a Mandarin speaker reads them (1 as 幺, optionally 2 as 两; X as 叉)."""
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
        else:
            out.append(c)
    return "".join(out)


def en_spoken(s, oh=False, double=False):
    """Digits as English words ("oh" for zero, "double five" for a pair)."""
    words, k = [], 0
    while k < len(s):
        c = s[k]
        if not c.isdigit():
            k += 1
            continue
        w = "oh" if (c == "0" and oh) else EN_DIGIT[int(c)]
        if double and k + 1 < len(s) and s[k + 1] == c:
            words.append("double " + w)
            k += 2
            continue
        words.append(w)
        k += 1
    return " ".join(words)


W = []  # (lang, speaker, question, text, labels)


def w(lang, speaker, question, text, *labels):
    W.append((lang, speaker, question, text, list(labels)))


# --- ID ---------------------------------------------------------------------------------------------
for _ in range(4):
    v = zh_id()
    w("zh", "customer", None, f"我的身份证号码是{v}", ("id", v))
v = zh_id()
w("zh", "customer", "请您提供一下身份证号码", v, ("id", v))
v = zh_id()
w("zh", "customer", "麻烦报一下您的证件号", f"好的，{group(v, [6, 8, 4])}", ("id", group(v, [6, 8, 4])))
v = zh_id()
s = zh_spoken(v)
w("zh", "customer", "请报一下身份证号", f"嗯，{s}", ("id", s))
v = zh_id()
s = zh_spoken(v, liang=True)
w("zh", "customer", None, f"身份证是{s}，您核对一下", ("id", s))
v = zh_id()
s = group(zh_spoken(v), [6, 4, 4, 4], "，")
w("zh", "customer", "身份证号码多少？", s, ("id", s))
v = zh_id()
w("zh", "customer", None, f"证件号{v[:10]}，呃，{v[10:]}", ("id", v[:10]), ("id", v[10:]))
for _ in range(3):
    v = zh_id()
    s = zh_spoken(v[-4:])
    w("zh", "customer", "请说一下身份证后四位", s, ("id", s))
v = zh_id()
s = zh_spoken(v[-6:])
w("zh", "customer", "身份证后六位是多少？", f"后六位是{s}", ("id", s))
v = zh_id()
w("zh", "customer", None, f"我身份证后四位{v[-4:]}", ("id", v[-4:]))
v = zh_id()
s = zh_spoken(v[-6:], liang=True)
w("zh", "customer", None, f"身份证最后六位是{s}", ("id", s))
w("zh", "customer", "核实一下身份，身份证尾号是？", "尾号是三七幺叉", ("id", "三七幺叉"))
w("zh", "customer", None, "身份证末四位零八二六", ("id", "零八二六"))
# ASR-garbled: a misheard run broken by fillers, and the check character as 艾克斯.
v = zh_id()
w("zh", "customer", None, f"身份证号{v[:6]}那个{v[6:14]}，{v[14:17]}艾克斯",
  ("id", v[:6]), ("id", v[6:14]), ("id", v[14:17] + "艾克斯"))
v = zh_id()
s = zh_spoken(v[:9]) + "，嗯，" + zh_spoken(v[9:])
w("zh", "customer", "身份证号报一下", s, ("id", zh_spoken(v[:9])), ("id", zh_spoken(v[9:])))
# English: SSN, partial SSN, passport.
for ssn in ["219-09-9999", "457-55-5462"]:
    w("en", "customer", None, f"my social security number is {ssn}", ("id", ssn))
w("en", "customer", "Can I get your social security number to verify?", "sure, 523 41 8876",
  ("id", "523 41 8876"))
w("en", "customer", "And the last four of your social?", "six six two oh", ("id", "six six two oh"))
w("en", "customer", None, "the last four digits of my social are 4471", ("id", "4471"))
w("en", "customer", "For verification, the last four digits of your SSN please.",
  "uh it's three nine one five", ("id", "three nine one five"))
w("en", "customer", None, "my passport number is 533380006", ("id", "533380006"))
w("en", "customer", None, "SSN five two three, four one, eight eight seven six",
  ("id", "five two three, four one, eight eight seven six"))
w("en", "customer", "What's your date of birth and last four of your social?",
  "it's seven two eight one", ("id", "seven two eight one"))

# --- Card -------------------------------------------------------------------------------------------
for prefix in ["622202", "622848", "621700", "625907"]:
    v = luhn(prefix, 19 if prefix == "621700" else 16)
    w("zh", "customer", None, f"我的银行卡号是{v}", ("card", v))
v = luhn("622588")
g = group(v, [4, 4, 4, 4])
w("zh", "customer", "请提供一下信用卡卡号", g, ("card", g))
v = luhn("622155")
g = group(v, [4, 4, 4, 4], "-")
w("zh", "customer", None, f"卡号{g}", ("card", g))
v = luhn("622202")
s = group(zh_spoken(v, liang=True), [4, 4, 4, 4], "，")
w("zh", "customer", "您的卡号是多少？", s, ("card", s))
v = luhn("436742")
s = zh_spoken(v)
w("zh", "customer", None, f"储蓄卡卡号{s}", ("card", s))
w("zh", "customer", "请问您银行卡尾号是多少？", "尾号幺两零八", ("card", "幺两零八"))
w("zh", "customer", None, "信用卡尾号是三三九一", ("card", "三三九一"))
w("zh", "customer", None, "我那张尾号6620的卡被冻结了", ("card", "6620"))
w("zh", "customer", "卡号后四位是？", "后四位两两五七", ("card", "两两五七"))
w("zh", "agent", None, "您尾号八零五三的储蓄卡本月还款已到账", ("card", "八零五三"))
v = luhn("622848")
w("zh", "customer", None, f"卡号是{v[:8]}，呃，{v[8:]}", ("card", v[:8]), ("card", v[8:]))
for prefix in ["4539", "4716", "5425", "2221"]:
    v = luhn(prefix)
    w("en", "customer", None, f"the card number is {group(v, [4, 4, 4, 4])}",
      ("card", group(v, [4, 4, 4, 4])))
v = luhn("371449", 15)
w("en", "customer", "And the card number?", group(v, [4, 6, 5]), ("card", group(v, [4, 6, 5])))
v = luhn("4929")
w("en", "customer", None, f"my visa is {group(v, [4, 4, 4, 4], '-')}",
  ("card", group(v, [4, 4, 4, 4], "-")))
v = luhn("5105")
s = en_spoken(v, oh=True)
w("en", "customer", "Can you read me the long number on the card?", s, ("card", s))
v = luhn("4024")
s = ", ".join(en_spoken(v[k:k + 4]) for k in range(0, 16, 4))
w("en", "customer", None, f"ok the card is {s}", ("card", s))
w("en", "customer", "What are the last four digits of the card?", "eight one one four",
  ("card", "eight one one four"))
w("en", "customer", None, "it's the debit card ending in 3387", ("card", "3387"))
w("en", "customer", None, "the mastercard ending in double seven nine two",
  ("card", "double seven nine two"))
w("en", "agent", None, "I see a charge on your card ending 5521 from Tuesday", ("card", "5521"))
v = luhn("4556")
w("en", "customer", None, f"card number {v[:4]} {v[4:8]} uh {v[8:12]} {v[12:]}",
  ("card", f"{v[:4]} {v[4:8]}"), ("card", f"{v[8:12]} {v[12:]}"))
w("en", "customer", "Which card do you want to use?", "the one ending in four oh oh nine",
  ("card", "four oh oh nine"))

# --- Phone ------------------------------------------------------------------------------------------
v = mobile()
w("zh", "customer", None, f"我手机号{v}", ("phone", v))
v = mobile()
w("zh", "customer", "方便留个联系方式吗？", group(v, [3, 4, 4]), ("phone", group(v, [3, 4, 4])))
v = mobile()
g = group(v, [3, 4, 4], "-")
w("zh", "customer", None, f"打这个{g}就行", ("phone", g))
v = mobile()
s = zh_spoken(v)
w("zh", "customer", "您的手机号码是？", s, ("phone", s))
v = mobile()
s = group(zh_spoken(v, liang=True), [3, 4, 4], "，")
w("zh", "customer", None, f"联系电话{s}", ("phone", s))
v = mobile()
s = zh_spoken(v[:3]) + "，那个，" + zh_spoken(v[3:7]) + "，" + zh_spoken(v[7:])
w("zh", "customer", "留个电话吧", s, ("phone", zh_spoken(v[:3])),
  ("phone", zh_spoken(v[3:7]) + "，" + zh_spoken(v[7:])))
w("zh", "customer", None, "家里座机是0755-26781234", ("phone", "0755-26781234"))
w("zh", "customer", None, "座机零二幺，六四三七，八八二零", ("phone", "零二幺，六四三七，八八二零"))
w("zh", "customer", "还有别的联系电话吗？", "还有个座机 010 8261 5577", ("phone", "010 8261 5577"))
w("zh", "agent", None, "我们会打您尾号四四七六的手机跟您确认", ("phone", "四四七六"))
w("zh", "customer", None, "换成我爱人的号，幺八六幺两三四零零九八", ("phone", "幺八六幺两三四零零九八"))
v = mobile()
w("zh", "customer", None, f"电话{v[:7]}，后面是{v[7:]}", ("phone", v[:7]), ("phone", v[7:]))
v = mobile()
w("zh", "customer", None, f"+86 {group(v, [3, 4, 4])}是我的号码", ("phone", f"+86 {group(v, [3, 4, 4])}"))
w("en", "customer", None, "my cell is 312-555-0147", ("phone", "312-555-0147"))
w("en", "customer", "What's a good callback number?", "(646) 555-0183", ("phone", "(646) 555-0183"))
w("en", "customer", None, "call me back on oh two oh seven nine four six oh three two one",
  ("phone", "oh two oh seven nine four six oh three two one"))
w("en", "customer", "And your phone number?", "it's five oh three double two seven triple four one",
  ("phone", "five oh three double two seven triple four one"))
w("en", "customer", None, "my number is seven one three, five five five, zero one nine two",
  ("phone", "seven one three, five five five, zero one nine two"))
w("en", "customer", None, "you can text me at 07911 123456", ("phone", "07911 123456"))
w("en", "customer", None, "the home phone is +44 20 7946 0958", ("phone", "+44 20 7946 0958"))
w("en", "customer", "Is the number on file still 415 555 0132?", "no it's 415 555 0178 now",
  ("phone", "415 555 0178"))
w("en", "customer", None, "my work number 206.555.0114 extension 22", ("phone", "206.555.0114"))
w("en", "customer", "What number are you calling from?", "uh eight one eight, uh, five five five, two two four oh",
  ("phone", "eight one eight"), ("phone", "five five five, two two four oh"))
w("en", "agent", None, "I'll call you back on the number ending in six four one two",
  ("phone", "six four one two"))

# --- Account ----------------------------------------------------------------------------------------
v = digits(12)
w("zh", "customer", None, f"我的账号是{v}", ("account", v))
v = "E" + digits(16)
w("zh", "customer", "请提供一下订单号", v, ("account", v))
v = digits(18)
w("zh", "customer", None, f"订单编号{v}，帮我查下物流", ("account", v))
v = digits(10)
w("zh", "customer", "您的会员卡号是多少？", zh_spoken(v), ("account", zh_spoken(v)))
w("zh", "customer", None, "会员号是VIP2023081577", ("account", "VIP2023081577"))
w("zh", "customer", None, "户号是幺零零三，五七二八，六六", ("account", "幺零零三，五七二八，六六"))
w("zh", "customer", "请问您的宽带账号？", "宽带账号是02787654321", ("account", "02787654321"))
w("zh", "customer", None, "保单号P44030019887654", ("account", "P44030019887654"))
v = digits(11)
w("zh", "customer", "麻烦报一下燃气户号", group(v, [3, 4, 4], "，"), ("account", group(v, [3, 4, 4], "，")))
w("zh", "customer", None, "我的淘宝账号是xiaomei_1989", ("account", "xiaomei_1989"))
w("zh", "agent", None, "您的工单号是二零二六一二零三零零八九，请记一下", ("account", "二零二六一二零三零零八九"))
w("zh", "customer", None, "订单号后四位是七七八一", ("account", "七七八一"))
a, b, c = digits(4), digits(4), digits(4)
w("zh", "customer", "还有订单号吗", f"有，{a}，嗯，{b}，{c}", ("account", a), ("account", f"{b}，{c}"))
w("en", "customer", None, "my account number is 4471 0938 22", ("account", "4471 0938 22"))
w("en", "customer", "Can I have the order number please?", "it's W as in william 58213907",
  ("account", "W as in william 58213907"))
w("en", "customer", None, "the order number is 112-4830291-5566102", ("account", "112-4830291-5566102"))
w("en", "customer", "What's your member ID?", "M R 4 4 0 9 1 7", ("account", "M R 4 4 0 9 1 7"))
w("en", "customer", None, "my customer number is eight two zero four four one nine",
  ("account", "eight two zero four four one nine"))
w("en", "customer", "Do you have your policy number handy?", "yes, HX-2231-0098",
  ("account", "HX-2231-0098"))
w("en", "customer", None, "the confirmation code they gave me was QK7P2M", ("account", "QK7P2M"))
w("en", "customer", "And your username?", "it's jdoe_42", ("account", "jdoe_42"))
w("en", "customer", None, "account ending in nine nine three one", ("account", "nine nine three one"))
w("en", "agent", None, "your ticket number is 5 5 0 2 8 1, keep it for reference",
  ("account", "5 5 0 2 8 1"))
w("en", "customer", "What's the account number on the bill?", "uh six one oh, three three two, nine oh eight",
  ("account", "six one oh, three three two, nine oh eight"))
w("en", "customer", None, "my loyalty number's 6 0 0 1 2 7 7 3 4", ("account", "6 0 0 1 2 7 7 3 4"))
w("en", "customer", None, "the tracking on my order 80334-XJ never updated", ("account", "80334-XJ"))

# --- Address ----------------------------------------------------------------------------------------
w("zh", "customer", None, "我住在北京市朝阳区望京街道阜通东大街6号院3号楼2单元1102",
  ("address", "北京市朝阳区望京街道阜通东大街6号院3号楼2单元1102"))
w("zh", "customer", "请问收货地址是？", "广东省深圳市南山区科技园南区高新南七道18号",
  ("address", "广东省深圳市南山区科技园南区高新南七道18号"))
w("zh", "customer", None, "寄到杭州市西湖区文三路478号华星时代广场A座", ("address", "杭州市西湖区文三路478号华星时代广场A座"))
w("zh", "customer", None, "我家是翠苑三区十二栋二单元六零一", ("address", "翠苑三区十二栋二单元六零一"))
w("zh", "customer", "地址需要改到哪里？", "改成锦绣花园小区9栋1单元502室", ("address", "锦绣花园小区9栋1单元502室"))
w("zh", "customer", None, "我在成都市武侯区人民南路四段27号", ("address", "成都市武侯区人民南路四段27号"))
w("zh", "customer", None, "地址是江苏省苏州市昆山市玉山镇前进西路一百零八号", ("address", "江苏省苏州市昆山市玉山镇前进西路一百零八号"))
w("zh", "customer", None, "就是那个幸福里小区，五号楼三单元", ("address", "幸福里小区，五号楼三单元"))
w("zh", "customer", "您具体住哪个门牌？", "七栋两单元四零二", ("address", "七栋两单元四零二"))
w("zh", "customer", None, "河南省郑州市金水区花园路街道农业路东89号", ("address", "河南省郑州市金水区花园路街道农业路东89号"))
w("zh", "customer", None, "我们村是湖北省黄冈市麻城市宋埠镇彭店村", ("address", "湖北省黄冈市麻城市宋埠镇彭店村"))
w("zh", "agent", None, "跟您确认一下，地址是上海市闵行区莘庄镇莘松路380弄12号301室对吗",
  ("address", "上海市闵行区莘庄镇莘松路380弄12号301室"))
w("zh", "customer", None, "邮编是100080", ("address", "100080"))
w("zh", "customer", None, "送到南京市鼓楼区中山路三百二十一号", ("address", "南京市鼓楼区中山路三百二十一号"))
w("en", "customer", None, "I live at 1600 Pennsylvania Avenue", ("address", "1600 Pennsylvania Avenue"))
w("en", "customer", "What's the service address?", "221B Baker Street, London NW1 6XE",
  ("address", "221B Baker Street, London NW1 6XE"))
w("en", "customer", None, "ship it to 742 Evergreen Terrace, apartment 3C, Springfield",
  ("address", "742 Evergreen Terrace, apartment 3C"))
w("en", "customer", None, "my zip is 60614", ("address", "60614"))
w("en", "customer", "And the postcode?", "M1 1AE", ("address", "M1 1AE"))
w("en", "customer", None, "the address is four twelve oak lane", ("address", "four twelve oak lane"))
w("en", "customer", None, "it's 88 Queen's Road East, unit 1205", ("address", "88 Queen's Road East, unit 1205"))
w("en", "customer", "Could I get the billing address?", "sure, 15 Elm Court, Austin, Texas 78701",
  ("address", "15 Elm Court, Austin, Texas 78701"))
w("en", "customer", None, "we moved to 9 rue de la Paix", ("address", "9 rue de la Paix"))
w("en", "customer", None, "PO Box 4471, Boulder, Colorado 80306", ("address", "PO Box 4471, Boulder, Colorado 80306"))
w("en", "customer", None, "zip code nine oh two one oh", ("address", "nine oh two one oh"))
w("en", "agent", None, "so that's 31 Harbour View Drive, postcode EH6 6RA, correct?",
  ("address", "31 Harbour View Drive"), ("address", "EH6 6RA"))

# --- Name -------------------------------------------------------------------------------------------
w("zh", "customer", None, "你好，我叫周晓明", ("name", "周晓明"))
w("zh", "customer", None, "我姓黄，草头黄", ("name", "黄"), ("name", "草头黄"))
w("zh", "customer", "请问怎么称呼？", "免贵姓司马，司马文", ("name", "司马"), ("name", "司马文"))
w("zh", "agent", None, "好的王女士，稍等", ("name", "王"))
w("zh", "agent", None, "杨先生您好，这里是售后服务中心", ("name", "杨"))
w("zh", "customer", "请问您贵姓？", "何", ("name", "何"))
w("zh", "customer", "请问机主姓名？", "冯丽娟", ("name", "冯丽娟"))
w("zh", "customer", None, "户主是我父亲，叫林国栋", ("name", "林国栋"))
w("zh", "customer", None, "本人是宋佳怡", ("name", "宋佳怡"))
w("zh", "customer", None, "帮我查一下罗小雨名下的订单", ("name", "罗小雨"))
w("zh", "agent", None, "请问是谢婷婷小姐吗？", ("name", "谢婷婷"))
w("zh", "customer", None, "我是唐建军，上周打过电话", ("name", "唐建军"))
w("zh", "customer", "开户人姓名是？", "诸葛明亮", ("name", "诸葛明亮"))
w("zh", "agent", None, "韩女士，您的问题我已经记录了", ("name", "韩"))
w("zh", "customer", None, "收件人写我老婆，叫许静", ("name", "许静"))
w("zh", "customer", None, "我叫马俊，上周来过电话", ("name", "马俊"))
w("en", "customer", None, "hi my name is Daniel Okafor", ("name", "Daniel Okafor"))
w("en", "customer", None, "yeah this is Rebecca Lindqvist calling about my statement",
  ("name", "Rebecca Lindqvist"))
w("en", "agent", None, "thank you Mr. Hernandez, let me pull that up", ("name", "Hernandez"))
w("en", "agent", None, "Ms Nakamura, are you still there?", ("name", "Nakamura"))
w("en", "customer", "Can I get your last name please?", "it's O apostrophe B R I E N",
  ("name", "O apostrophe B R I E N"))
w("en", "customer", "How do you spell that?", "F I T Z G E R A L D", ("name", "F I T Z G E R A L D"))
w("en", "customer", "May I have your full name?", "Thomas Whitaker", ("name", "Thomas Whitaker"))
w("en", "customer", None, "the account is under my husband's name, Kevin Marsh", ("name", "Kevin Marsh"))
w("en", "customer", None, "I'm calling for my mother, Gloria Reyes", ("name", "Gloria Reyes"))
w("en", "customer", "Who am I speaking with today?", "uh it's Anita", ("name", "Anita"))
w("en", "agent", None, "okay Mrs Dubois, your refund is on its way", ("name", "Dubois"))
w("en", "customer", None, "first name Siobhan, S I O B H A N", ("name", "Siobhan"),
  ("name", "S I O B H A N"))
w("en", "customer", None, "my name's uh jake peterson", ("name", "jake peterson"))
w("en", "customer", "And the name on the card?", "Marcus J. Bell", ("name", "Marcus J. Bell"))

# --- E-mail -----------------------------------------------------------------------------------------
w("zh", "customer", None, "邮箱是liuyang1988@163.com", ("email", "liuyang1988@163.com"))
w("zh", "customer", "请留一个邮箱", "wang_fang@qq.com", ("email", "wang_fang@qq.com"))
w("zh", "customer", None, "邮箱是chen艾特outlook点com", ("email", "chen艾特outlook点com"))
w("zh", "customer", None, "发到我邮箱 x i a o l i 艾特 一六三 点 com", ("email", "x i a o l i 艾特 一六三 点 com"))
w("zh", "customer", None, "邮箱幺二三四五六七八九艾特qq点康姆", ("email", "幺二三四五六七八九艾特qq点康姆"))
w("zh", "customer", "电子邮箱地址是？", "zhao.min@company.com.cn", ("email", "zhao.min@company.com.cn"))
w("zh", "customer", None, "我的邮箱是 helen-w at 126 dot com", ("email", "helen-w at 126 dot com"))
w("zh", "customer", None, "邮箱改成sunny2024@gmail.com吧", ("email", "sunny2024@gmail.com"))
w("en", "customer", None, "my email is mark.tully@btinternet.com", ("email", "mark.tully@btinternet.com"))
w("en", "customer", "What's your email address?", "k dot osei at yahoo dot co dot uk",
  ("email", "k dot osei at yahoo dot co dot uk"))
w("en", "customer", None, "send it to jenny underscore lee at hotmail dot com",
  ("email", "jenny underscore lee at hotmail dot com"))
w("en", "customer", None, "it's p.r.ramos@outlook.com", ("email", "p.r.ramos@outlook.com"))
w("en", "customer", "And an email we can reach you at?", "sam at sam jones dot net",
  ("email", "sam at sam jones dot net"))
w("en", "customer", None, "email is b e n at gmail dot com", ("email", "b e n at gmail dot com"))
w("en", "customer", None, "yeah use alex99@proton.me please", ("email", "alex99@proton.me"))
w("en", "customer", None, "my work email, d.kim at acme corp dot com", ("email", "d.kim at acme corp dot com"))

# --- DOB --------------------------------------------------------------------------------------------
w("zh", "customer", None, "我是1986年4月23号出生的", ("dob", "1986年4月23号"))
w("zh", "customer", "请说一下您的出生日期", "一九九二年十一月五号", ("dob", "一九九二年十一月五号"))
w("zh", "customer", None, "生日是七九年八月十八", ("dob", "七九年八月十八"))
w("zh", "customer", "出生年月日是？", "1970.02.14", ("dob", "1970.02.14"))
w("zh", "customer", None, "出生日期一九六五年三月三日", ("dob", "一九六五年三月三日"))
w("zh", "customer", None, "我老公生日是1983年12月1日", ("dob", "1983年12月1日"))
w("zh", "customer", "您是哪年出生的？", "八八年的", ("dob", "八八年"))
w("zh", "customer", None, "出生于2001年6月9日", ("dob", "2001年6月9日"))
w("en", "customer", None, "I was born on the 4th of July 1976", ("dob", "4th of July 1976"))
w("en", "customer", "Can you confirm your date of birth?", "twelfth of february nineteen sixty one",
  ("dob", "twelfth of february nineteen sixty one"))
w("en", "customer", None, "my date of birth is 03/11/1990", ("dob", "03/11/1990"))
w("en", "customer", "And your DOB?", "June 30, 1958", ("dob", "June 30, 1958"))
w("en", "customer", None, "born September the ninth, eighty-four", ("dob", "September the ninth, eighty-four"))
w("en", "customer", None, "DOB is 1999-01-27", ("dob", "1999-01-27"))
w("en", "customer", "What's your birthday?", "uh october twenty second nineteen ninety five",
  ("dob", "october twenty second nineteen ninety five"))
w("en", "customer", None, "my son was born on May 2nd 2012", ("dob", "May 2nd 2012"))

# --- More ASR garbles: 幺 heard as 要, "four" as "for", "two" as "to" ---------------------------
w("zh", "customer", "您的手机号是多少？", "要八六，五七三二，要零四四", ("phone", "要八六，五七三二，要零四四"))
w("en", "customer", None, "my number is for one five, five five five, oh one two three",
  ("phone", "for one five, five five five, oh one two three"))
w("en", "customer", "Last four of your social, please.", "to oh to one", ("id", "to oh to one"))
v = luhn("622202")
w("zh", "customer", None, f"卡号{zh_spoken(v[:6], liang=True)}，呃，{zh_spoken(v[6:])}",
  ("card", zh_spoken(v[:6], liang=True)), ("card", zh_spoken(v[6:])))

# --- Hard negatives ---------------------------------------------------------------------------------
NEG = [
    ("zh", "customer", None, "这个月话费扣了我一百二十八块五"),
    ("zh", "customer", None, "我买了三台，总共花了4599元"),
    ("zh", "agent", None, "退款会在三到五个工作日内原路返回"),
    ("zh", "agent", None, "您好，我是客服代表张敏，工号8372，很高兴为您服务"),
    ("zh", "agent", None, "我是工号幺零二四的客服小王"),
    ("zh", "customer", None, "我要的是型号为XR-2000的吸尘器"),
    ("zh", "customer", None, "手机是iPhone 15 Pro Max，256G的"),
    ("zh", "customer", None, "12月25号之前能送到吗？"),
    ("zh", "agent", None, "活动截止到2026年12月31日"),
    ("zh", "customer", None, "下午三点半以后都在家"),
    ("zh", "customer", None, "我订了20箱矿泉水，每箱24瓶"),
    ("zh", "agent", None, "您的套餐包含100分钟通话和30G流量"),
    ("zh", "customer", None, "我等了四十五分钟了"),
    ("zh", "agent", None, "客服热线工作时间是早上八点到晚上十点"),
    ("zh", "customer", None, "上周三下的单，到现在还没发货"),
    ("zh", "agent", None, "我们的门店在很多城市都有"),
    ("zh", "customer", None, "路上堵车，晚点再说"),
    ("zh", "customer", None, "这个冰箱是海尔BCD-470WDPG型号的"),
    ("zh", "agent", None, "这边给您申请了50元的补偿"),
    ("zh", "customer", None, "我2019年就在你们这开户了"),
    ("en", "customer", None, "I was charged 49 dollars and 99 cents twice"),
    ("en", "customer", None, "I ordered 3 of the 500 milliliter bottles"),
    ("en", "agent", None, "Hi, my name is Olivia, employee ID 44812, how can I help?"),
    ("en", "agent", None, "this is Marcus from the billing team"),
    ("en", "customer", None, "the model number is WH-1000XM4"),
    ("en", "customer", None, "my flight on December 12th got cancelled"),
    ("en", "agent", None, "the promotion runs until January 15, 2027"),
    ("en", "customer", None, "can someone call me back after 5:30 pm"),
    ("en", "customer", None, "I've been on hold for 25 minutes"),
    ("en", "agent", None, "your plan is 35 dollars a month with 10 gigs of data"),
    ("en", "customer", None, "it's the 65 inch TV, model QN65Q80C"),
    ("en", "customer", None, "I bought it back in March 2023"),
    ("en", "agent", None, "one moment while I check that for you"),
    ("en", "customer", None, "my router keeps dropping every 10 minutes"),
    ("en", "customer", None, "we need two adults and one child for the 14th"),
    ("en", "agent", None, "the refund of 120 pounds will reach you in 3 to 5 days"),
]
for lang, spk, q, text in NEG:
    w(lang, spk, q, text)

for k, (lang, spk, q, text, labels) in enumerate(W):
    add("written", "callqa", lang, spk, text, labels, q, ref=k)

out = HERE / "pii_heldout.jsonl"
with out.open("w", encoding="utf-8") as f:
    for it in items:
        f.write(json.dumps(it, ensure_ascii=False) + "\n")
counts = {}
for it in items:
    for p in it["pii"]:
        counts[p["type"]] = counts.get(p["type"], 0) + 1
src = {}
for it in items:
    src[it["source"]] = src.get(it["source"], 0) + 1
print(f"{out.name}: {len(items)} items, {sum(counts.values())} spans {counts}, sources {src}")
