"""Build the name gazetteers that callqa-text embeds (include_str!) from Faker's person providers.

Faker (https://github.com/joke2k/faker) is MIT-licensed; its person-name lists are data, and the
lists written here are plain extracts of them (one name a line, sorted, deduplicated). The product
never runs this script: it is committed so the lists can be rebuilt and checked.

    python3 -m venv /tmp/fk && /tmp/fk/bin/pip install faker==40.54.0 mingzi==1.2.3
    /tmp/fk/bin/python crates/callqa-text/data/build_gazetteers.py

mingzi (https://pypi.org/project/mingzi/, MIT License) adds the compound surnames (复姓: 诸葛,
司马, 上官...) that Faker's lists lack, and the characters of its given names.

Writes next to this file:
- zh_surnames.txt: Chinese surnames (single and compound) from Faker's zh_CN and zh_TW providers
  and mingzi's `surname` and `com_surname` lists.
- zh_given_chars.txt: the characters of the Chinese given names in the same providers and in
  mingzi's given-name lists.
- en_given_names.txt: English given names from the en_US, en_GB, en_IE, en_NZ and en_IN providers.
- en_surnames.txt: English surnames from the same providers.
"""

import importlib
import importlib.metadata
import importlib.resources
import json
import pathlib

import faker

HERE = pathlib.Path(__file__).resolve().parent
EN_LOCALES = ["en_US", "en_GB", "en_IE", "en_NZ", "en_IN"]
ZH_LOCALES = ["zh_CN", "zh_TW"]


def names(value):
    """Faker keeps name lists as tuples, lists or {name: weight} dicts."""
    if isinstance(value, dict):
        return list(value.keys())
    return list(value)


def provider(locale):
    return importlib.import_module(f"faker.providers.person.{locale}").Provider


def collect(locales, attrs):
    out = set()
    for loc in locales:
        p = provider(loc)
        for attr in attrs:
            if hasattr(p, attr):
                out.update(n.strip() for n in names(getattr(p, attr)) if n.strip())
    return out


def mingzi_data():
    """mingzi's name lists: surname (weights), com_surname, {male,female}_{single,double}."""
    return json.loads(importlib.resources.files("mingzi").joinpath("data.json").read_text("utf-8"))


FAKER_SOURCE = f"Faker {faker.VERSION} (MIT License, https://github.com/joke2k/faker)"
MINGZI_SOURCE = f"mingzi {importlib.metadata.version('mingzi')} (MIT License, https://pypi.org/project/mingzi/)"


def write(name, items, note, sources=(FAKER_SOURCE,)):
    path = HERE / name
    header = f"# {note}\n# Source: {'; '.join(sources)}, extracted by build_gazetteers.py.\n"
    path.write_text(header + "\n".join(sorted(items)) + "\n", encoding="utf-8")
    print(f"{path.name}: {len(items)} names")


zh = collect(ZH_LOCALES, ["last_names", "last_names_male", "last_names_female"])
mz = mingzi_data()
zh |= set(mz["surname"]) | set(mz["com_surname"])
zh = {s for s in zh if 1 <= len(s) <= 2}
both = (FAKER_SOURCE, MINGZI_SOURCE)
write("zh_surnames.txt", zh, "Chinese surnames, single and compound, one a line.", both)

zh_given = collect(ZH_LOCALES, ["first_names", "first_names_male", "first_names_female"])
zh_given |= {n for k in ("male_single", "female_single", "male_double", "female_double") for n in mz[k]}
zh_chars = {c for n in zh_given for c in n if "\u4e00" <= c <= "\u9fff"}
write("zh_given_chars.txt", zh_chars, "Characters of Chinese given names, one a line.", both)

given_attrs = ["first_names", "first_names_male", "first_names_female", "first_names_nonbinary"]
given = collect(EN_LOCALES, given_attrs)
given = {n for n in given if n.isalpha() and len(n) >= 2}
write("en_given_names.txt", given, "English given names, one a line.")

surnames = collect(EN_LOCALES, ["last_names"])
surnames = {n for n in surnames if n.replace("-", "").replace("'", "").isalpha() and len(n) >= 2}
write("en_surnames.txt", surnames, "English surnames, one a line.")
