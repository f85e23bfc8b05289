"""Build crates/callqa-text/eval/pii_eval.jsonl: the labelled evaluation set for PII redaction.

Run at development time only (the product and its tests read the committed JSONL, never the
sources):

    python3 crates/callqa-text/eval/build_pii_eval.py [../shared/data/dialog_real]

Sources (each item carries `source` and `licence`):
- Harper Valley Bank excerpt (Apache-2.0): real spoken call-centre calls, lower-case, every line,
  plus the corpus's own ASR text where it differs (ASR-garbled lines).
- ABCD sample (MIT): customer-service chats with names, usernames, order ids, e-mails, phones.
- MultiWOZ 2.1 val/test (MIT / CC BY 4.0): a seeded sample of lines with numbers (phones,
  postcodes, street numbers, train ids).
- CrossWOZ val/test (Apache-2.0): lines with venue addresses and phone numbers, and a seeded random
  sample (negatives).
- callqa's own SYNTHETIC fixture scripts (fixtures/calls/*.json): every utterance.
- Written cases (this file): Mandarin and English, with ASR-garbled numbers.

Labels are by hand, as (type, exact substring) pairs below; the substring's first occurrence
(or the n-th, with a third element) gives the character span. The agent's own name and staff
number are not customer PII and are never labelled. Split: `dev` (written cases and fixtures, the
ones the rules were written against) and `test` (the corpus lines, labelled before the rules were
run on them).
"""

import gzip
import json
import pathlib
import random
import sys

ROOT = pathlib.Path(__file__).resolve().parents[3]
HERE = pathlib.Path(__file__).resolve().parent
SRC = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared/data/dialog_real"

items = []


def add(source, licence, lang, speaker, text, labels, question=None, split="test", ref=None):
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
            "split": split,
            "lang": lang,
            "speaker": speaker,
            "question": question,
            "text": text,
            "pii": pii,
        }
    )


def read(name):
    with gzip.open(SRC / name, "rt", encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def question_before(lines, i):
    """The other party's last turn before line i (up to three lines), as the pipeline builds it."""
    me = lines[i]["speaker"]
    parts = []
    for p in reversed(lines[:i]):
        if p["speaker"] == "other":
            continue
        if p["speaker"] == me:
            if not parts:
                continue
            break
        parts.append(p["text"])
        if len(parts) == 3:
            break
    return " ".join(reversed(parts)) or None


# --- Harper Valley Bank: customer names and a spoken phone number ------------------------------
HVB = {
    ("445b", 4): [("name", "patricia brown")],
    ("4c88", 1): [("name", "mary smith")],
    ("4188", 1): [("name", "elizabeth david")],
    ("49bb", 1): [("name", "robert johnson")],
    ("49a2", 2): [("name", "linda brown")],
    ("4e0d", 1): [("name", "james miller")],
    ("436f", 1): [("name", "linda garcia")],
    ("49a9", 1): [("name", "david jones")],
    ("4e74", 1): [("name", "patricia brown")],
    ("4a6f", 2): [("name", "john garcia")],
    ("4a6f", 7): [("phone", "seven one five")],
    ("4a6f", 8): [("phone", "one three nine")],
    ("4a6f", 9): [("phone", "zero seven eight seven")],
    ("4bc0", 1): [("name", "robert jones")],
    ("40a4", 2): [("name", "jennifer brown")],
    ("464b", 1): [("name", "robert robert jones")],
}


def by_dialog(lines):
    out = {}
    for d in lines:
        out.setdefault(d["dialog_id"], []).append(d)
    for v in out.values():
        v.sort(key=lambda d: d["turn"])
    return out


hvb = by_dialog(read("harper_valley_bank_excerpt_en.jsonl.gz"))
for did, lines in hvb.items():
    for i, d in enumerate(lines):
        labels = HVB.get((did[-4:], d["turn"]), [])
        q = question_before(lines, i)
        ref = f"{did}:{d['turn']}"
        add("harper_valley_bank", "Apache-2.0", "en", d["speaker"], d["text"], labels, q, ref=ref)
        asr = d.get("asr_text") or ""
        if asr and asr != d["text"]:
            kept = [lab for lab in labels if lab[1] in asr]
            add("harper_valley_bank_asr", "Apache-2.0", "en", d["speaker"], asr, kept, q,
                ref=ref + ":asr")

# --- ABCD sample ---------------------------------------------------------------------------------
ABCD = {
    ("3592", 4): [("name", "Crystal Minh")],
    ("3592", 9): [("account", "cminh730")],
    ("3592", 10): [("email", "cminh730@email.com")],
    ("3592", 11): [("account", "3348917502")],
    ("3592", 13): [("name", "Crystal")],
    ("3592", 21): [("phone", "(977) 625-2661")],
    ("9489", 3): [("name", "Alessandro Phoenix")],
    ("9489", 4): [("account", "aphoenix939")],
    ("9489", 8): [("account", "7916676427")],
    ("9489", 9): [("email", "aphoenix939@email.com")],
}
for did, lines in by_dialog(read("abcd_sample_en.jsonl.gz")).items():
    for i, d in enumerate(lines):
        if d["speaker"] == "other":  # system log lines, not speech
            continue
        labels = ABCD.get((did[-4:], d["turn"]), [])
        add("abcd", "MIT", "en", d["speaker"], d["text"], labels, question_before(lines, i),
            ref=f"{did}:{d['turn']}")

# --- MultiWOZ: a seeded sample of lines with numbers --------------------------------------------
MWOZ = {
    "PMUL2747:19": [("phone", "07522587942")],
    "PMUL4287:7": [("phone", "01223324033")],
    "MUL2301:3": [("address", "40270 King Street")],
    "MUL0803:19": [("phone", "07784569593")],
    "MUL1183:9": [("address", "cb23nz")],
    "MUL0681:9": [("phone", "01223327978"), ("address", "41 warkworth street")],
    "PMUL4648:7": [("address", "Unit g6, Cambridge Leisure Park, Clifton road"), ("address", "CB17DY")],
    "MUL0448:9": [("phone", "01223333516")],
    "MUL1128:17": [("phone", "07470919313")],
    "SNG0090:5": [("phone", "07193948183")],
    "MUL1158:5": [("address", "cb23bu")],
}
import re  # noqa: E402

random.seed(7)
mw = read("multiwoz21_valtest_en.jsonl.gz")
digits = [d for d in mw if re.search(r"\d{3,}|postcode|phone", d["text"])]
for d in random.sample(digits, 25):
    key = f"{d['dialog_id'].split('-')[-1]}:{d['turn']}"
    add("multiwoz21", "MIT", "en", d["speaker"], d["text"], MWOZ.get(key, []), ref=d["dialog_id"] + f":{d['turn']}")

# --- CrossWOZ: venue addresses and phones, and a random sample ----------------------------------
CW = {
    "val-56:2": [],
    "val-56:3": [("address", "北京市昌平区小汤山镇"), ("phone", "010-66916919")],
    "val-56:4": [],
    "val-56:5": [("address", "东四十条23号")],
    "val-58:3": [("phone", "01068028180")],
    "val-80:3": [("phone", "010-83288149")],
    "val-80:8": [],
    "val-80:9": [("address", "北京市东城区国子监街15号")],
    "val-83:12": [],
    "val-83:13": [("address", "北京西城区广安门内大街217号")],
    "val-83:21": [("phone", "010-65666606")],
    "val-84:2": [],
    "val-84:3": [("phone", "010-67796688"), ("address", "朝阳区潘家园华威里26号广西大厦2楼")],
    "val-84:12": [],
    "val-84:13": [("address", "北京顺义区府前中街3号")],
    "val-123:15": [("address", "兴寿镇沙坨村昌金路")],
    "val-127:9": [("address", "北京市延庆县京藏高速58号")],
    "val-136:11": [("address", "北京西城区西四南大街62号")],
    "val-184:0": [],
    "val-184:1": [("address", "亦庄镇贵园南路6号")],
    "val-199:3": [("address", "北京市东城区景山前街4号")],
    "val-211:13": [("address", "北京市海淀区高粱桥斜街乙18号")],
    "val-211:19": [("phone", "010-68352453"), ("phone", "010-68312517")],
    "val-211:25": [("address", "兴华大街27号百联清城购物中心1层")],
    "val-214:1": [("phone", "010-69991268")],
    "val-214:3": [("phone", "010-89595797")],
    "val-229:13": [("address", "北京市房山区周口店镇黄山店村")],
    "val-281:3": [("address", "北京市东城区故宫博物院宁寿宫内")],
    "test-5695:9": [("address", "鼓楼东街36号")],
}
cw = read("crosswoz_valtest_zh.jsonl.gz")
cw_by_key = {f"{d['dialog_id'][len('crosswoz-'):]}:{d['turn']}": d for d in cw}
for key, labels in CW.items():
    d = cw_by_key[key]
    add("crosswoz", "Apache-2.0", "zh", d["speaker"], d["text"], labels, ref=d["dialog_id"] + f":{d['turn']}")
random.seed(7)
_ = random.sample(digits, 25)  # keep the draw order of the sample above stable
for d in random.sample(cw, 25):
    key = f"{d['dialog_id'][len('crosswoz-'):]}:{d['turn']}"
    if key in CW:
        continue
    add("crosswoz", "Apache-2.0", "zh", d["speaker"], d["text"], CW.get(key, []), ref=d["dialog_id"] + f":{d['turn']}")

# --- Fixture scripts (SYNTHETIC) -----------------------------------------------------------------
FIX = {
    ("en_bank_inbound_angry_escalated_01", 3): [("name", "Laura Bennett"), ("card", "Three one one eight")],
    ("en_bank_inbound_model_01", 3): [("name", "Michael Turner"), ("dob", "fourteenth of June, nineteen eighty-five")],
    ("en_bank_inbound_model_01", 4): [("name", "Turner")],
    ("en_ecommerce_inbound_angry_resolved_01", 3): [("account", "Seven seven four one nine"), ("name", "James Porter")],
    ("en_ecommerce_inbound_angry_resolved_01", 4): [("name", "Porter")],
    ("en_telecom_inbound_dead_air_01", 3): [("name", "Priya Shah"), ("dob", "second of November, nineteen ninety-two")],
    ("en_telecom_outbound_model_01", 0): [("name", "Sarah Collins")],
    ("en_telecom_outbound_model_01", 5): [("dob", "Third of March, nineteen ninety")],
    ("en_utility_inbound_rude_agent_01", 3): [("account", "Four four seven one, two nine zero six")],
    ("zh_bank_inbound_angry_resolved_01", 3): [("name", "黄丽"), ("card", "九二七零")],
    ("zh_bank_inbound_model_01", 3): [("name", "刘芳"), ("card", "六六零八")],
    ("zh_bank_inbound_model_01", 11): [("name", "刘")],
    ("zh_bank_outbound_model_01", 0): [("name", "周")],
    ("zh_bank_outbound_model_01", 3): [("dob", "一九八八年三月十二号")],
    ("zh_ecommerce_inbound_missing_steps_01", 3): [("account", "二零二六，一一零一，三三八五")],
    ("zh_ecommerce_inbound_model_01", 3): [("phone", "一三九，零零二一，四四七六")],
    ("zh_ecommerce_inbound_model_01", 4): [("name", "陈")],
    ("zh_ecommerce_outbound_missing_steps_01", 4): [("address", "幸福路八十八号三单元")],
    ("zh_ecommerce_outbound_missing_steps_01", 5): [("address", "三单元五零二")],
    ("zh_ecommerce_outbound_missing_steps_01", 11): [("address", "幸福路八十八号三单元五零二")],
    ("zh_telecom_inbound_dead_air_01", 3): [("name", "郑浩"), ("id", "八一二六")],
    ("zh_telecom_inbound_model_01", 3): [("id", "三七二一")],
    ("zh_telecom_inbound_rude_agent_01", 3): [("name", "吴海燕"), ("id", "四四零九")],
    ("zh_telecom_outbound_model_01", 0): [("name", "孙")],
    ("zh_telecom_outbound_model_01", 2): [("name", "孙")],
    ("zh_telecom_outbound_model_01", 5): [("id", "零五一二")],
    ("zh_utility_inbound_angry_escalated_01", 3): [("account", "四二零，一一七，六六三")],
    ("zh_utility_inbound_model_01", 3): [("account", "三一零，五六二，八八四"), ("name", "赵建国")],
}
seen = set()
for f in sorted((ROOT / "fixtures/calls").glob("*.json")):
    if f.name.endswith(".timeline.json"):
        continue
    d = json.loads(f.read_text(encoding="utf-8"))
    turns = d["turns"]
    lang = "zh" if f.stem.startswith("zh") else "en"
    for i, t in enumerate(turns):
        key = (f.stem, i)
        seen.add(key)
        lines = [{"speaker": x["speaker"], "text": x["text"]} for x in turns]
        add("fixtures", "callqa (SYNTHETIC)", lang, t["speaker"], t["text"], FIX.get(key, []),
            question_before(lines, i), split="dev", ref=f"{f.stem}:{i}")
missing = set(FIX) - seen
if missing:
    raise SystemExit(f"fixture labels for lines that do not exist: {sorted(missing)}")

# --- Written cases: (lang, speaker, question, text, labels) --------------------------------------
W = [
    ("zh", "customer", None, "我叫李建华，想查一下话费", [("name", "李建华")]),
    ("zh", "customer", None, "我姓张，弓长张", [("name", "张"), ("name", "弓长张")]),
    ("zh", "customer", None, "免贵姓欧阳，欧阳娜娜", [("name", "欧阳"), ("name", "欧阳娜娜")]),
    ("zh", "agent", None, "好的李先生，我帮您查一下", [("name", "李")]),
    ("zh", "agent", None, "张女士您好，这边是星联通信", [("name", "张")]),
    ("zh", "customer", "请问怎么称呼您？", "王小红", [("name", "王小红")]),
    ("zh", "customer", "您贵姓？", "姓刘", [("name", "刘")]),
    ("zh", "customer", None, "本人是陈志强", [("name", "陈志强")]),
    ("zh", "agent", None, "您好，我叫王芳，很高兴为您服务", []),
    ("zh", "agent", None, "您好，我是客服小李，工号一零二四", []),
    ("zh", "customer", None, "我的手机号是13912345678", [("phone", "13912345678")]),
    ("zh", "customer", None, "电话是幺三八 幺二三四 五六七八", [("phone", "幺三八 幺二三四 五六七八")]),
    ("zh", "customer", "麻烦留一个联系电话", "一五零，两两三三，四四五五", [("phone", "一五零，两两三三，四四五五")]),
    ("zh", "customer", None, "座机是021-64371234", [("phone", "021-64371234")]),
    ("zh", "customer", None, "身份证号是110101199003071233", [("id", "110101199003071233")]),
    ("zh", "customer", None, "身份证号码11010519491231002X", [("id", "11010519491231002X")]),
    ("zh", "customer", "请报一下身份证后四位", "嗯，是幺二三四", [("id", "幺二三四")]),
    ("zh", "customer", "身份证后三位是多少", "三二一", [("id", "三二一")]),
    ("zh", "customer", None, "卡号是6222 0210 0112 3458", [("card", "6222 0210 0112 3458")]),
    ("zh", "customer", None, "信用卡尾号是八八六六", [("card", "八八六六")]),
    ("zh", "customer", None, "我的会员号是20230415", [("account", "20230415")]),
    ("zh", "customer", "请提供一下订单号", "DD20231105778", [("account", "DD20231105778")]),
    ("zh", "customer", None, "邮箱是zhangwei88@163.com", [("email", "zhangwei88@163.com")]),
    ("zh", "customer", None, "邮箱是zhangwei艾特qq点com", [("email", "zhangwei艾特qq点com")]),
    ("zh", "customer", None, "我家在上海市浦东新区张杨路500号2栋1单元301室", [("address", "上海市浦东新区张杨路500号2栋1单元301室")]),
    ("zh", "customer", None, "寄到阳光花园小区7栋", [("address", "阳光花园小区7栋")]),
    ("zh", "customer", None, "我的出生日期是1990年3月7日", [("dob", "1990年3月7日")]),
    ("zh", "customer", "请说一下您的出生年月日", "一九七五年十月一号", [("dob", "一九七五年十月一号")]),
    ("zh", "customer", None, "上个月扣了我三百块钱", []),
    ("zh", "customer", None, "我2019年就开户了", []),
    ("zh", "agent", None, "退款三到五个工作日到账", []),
    ("zh", "agent", None, "您的套餐是每月一百二十九元", []),
    ("zh", "customer", None, "我在路上，等会再说", []),
    ("zh", "agent", None, "老百姓都关心这个问题", []),
    ("zh", "customer", None, "我是来咨询宽带的", []),
    ("zh", "agent", None, "我是10086号客服", []),
    ("zh", "agent", None, "账单日是每月5号", []),
    ("zh", "customer", None, "手机号一三八一二三四五六七八", [("phone", "一三八一二三四五六七八")]),
    ("zh", "customer", None, "手机号是一三八 一二三四 五六七八吧", [("phone", "一三八 一二三四 五六七八")]),
    ("en", "customer", None, "Hi, my name is Sarah Johnson.", [("name", "Sarah Johnson")]),
    ("en", "customer", None, "this is David Miller calling about my bill", [("name", "David Miller")]),
    ("en", "agent", None, "Thank you Mrs. Patel, one moment", [("name", "Patel")]),
    ("en", "customer", "Could you spell your surname?", "sure it's K O W A L S K I", [("name", "K O W A L S K I")]),
    ("en", "customer", "Who am I speaking with?", "Emily Carter", [("name", "Emily Carter")]),
    ("en", "agent", None, "Thanks for calling, my name is Emma, how can I help", []),
    ("en", "agent", None, "this is Tom speaking, staff number four four one seven", []),
    ("en", "customer", None, "my number is 415-555-0199", [("phone", "415-555-0199")]),
    ("en", "customer", None, "you can reach me on oh seven seven double nine one two three four five six",
     [("phone", "oh seven seven double nine one two three four five six")]),
    ("en", "customer", "What's the best number to reach you?", "07700 900123", [("phone", "07700 900123")]),
    ("en", "customer", None, "my social security number is 078-05-1120", [("id", "078-05-1120")]),
    ("en", "customer", "Can you confirm the last four digits of your social?", "it's 1120", [("id", "1120")]),
    ("en", "customer", None, "the card number is 4111 1111 1111 1111", [("card", "4111 1111 1111 1111")]),
    ("en", "customer", "And the last four of the card?", "four four one seven", [("card", "four four one seven")]),
    ("en", "customer", None, "my account number is 7 7 4 2 1 9", [("account", "7 7 4 2 1 9")]),
    ("en", "customer", None, "the order number is AB123456", [("account", "AB123456")]),
    ("en", "customer", None, "email me at jo.smith@example.com", [("email", "jo.smith@example.com")]),
    ("en", "customer", None, "it's jo dot smith at gmail dot com", [("email", "jo dot smith at gmail dot com")]),
    ("en", "customer", None, "I live at 42 Maple Street, Springfield", [("address", "42 Maple Street")]),
    ("en", "customer", None, "the zip code is 90210", [("address", "90210")]),
    ("en", "customer", None, "postcode SW1A 1AA", [("address", "SW1A 1AA")]),
    ("en", "customer", None, "I was born on March 3rd, 1985", [("dob", "March 3rd, 1985")]),
    ("en", "customer", "And your date of birth?", "the fifth of May nineteen seventy", [("dob", "fifth of May nineteen seventy")]),
    ("en", "customer", None, "It costs 30 dollars a month", []),
    ("en", "customer", None, "I've been waiting 45 minutes", []),
    ("en", "customer", None, "that was back in 2019", []),
    ("en", "agent", None, "one second please, I'm checking", []),
    ("en", "customer", None, "this is about my bill", []),
    ("en", "customer", None, "I'm fine thanks, and you?", []),
    ("en", "customer", None, "oh okay, one more thing", []),
    # ASR-garbled numbers: split, repeated fillers, mixed digits and words.
    ("en", "customer", "Could I have your phone number?", "uh it's seven one eight uh five five five oh one nine nine",
     [("phone", "seven one eight")]),
    ("en", "customer", None, "my phone number is 718 555 01 99", [("phone", "718 555 01 99")]),
    ("zh", "customer", None, "手机号是138，嗯，1234，5678", [("phone", "138")]),
    ("zh", "customer", "请报一下手机号", "幺三九 零零二幺 四四七六", [("phone", "幺三九 零零二幺 四四七六")]),
    ("zh", "customer", None, "身份证后四位是321X", [("id", "321X")]),
    ("zh", "customer", None, "银行卡号6222021001123458", [("card", "6222021001123458")]),
]
for k, (lang, spk, q, text, labels) in enumerate(W):
    add("written", "callqa", lang, spk, text, labels, q, split="dev", ref=k)

out = HERE / "pii_eval.jsonl"
with out.open("w", encoding="utf-8") as f:
    for it in items:
        f.write(json.dumps(it, ensure_ascii=False) + "\n")
n = {}
for it in items:
    n[it["split"]] = n.get(it["split"], 0) + 1
print(f"{out.name}: {len(items)} items, {n}, {sum(len(i['pii']) for i in items)} spans")
