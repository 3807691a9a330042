"""`report merge`: the matrix shows where targets differ, links to each target's report, scores each one."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote

import html5lib
import pytest

from conformance.errors import SuiteError
from conformance.reports.matrix import merge

from .conftest import FIXTURES, assert_no_secrets

REF = FIXTURES / "reference.results.json"
MOTO = FIXTURES / "moto.results.json"
FAULTY = FIXTURES / "faulty.results.json"


def parse(path: Path) -> ET.Element:
    root: ET.Element = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(
        path.read_text(encoding="utf-8")
    )
    return root


def cells(root: ET.Element) -> dict[str, list[str]]:
    out = {}
    for tr in root.iter("tr"):
        if tr.get("class") == "mrow":
            case = "".join(tr.find("td/span").itertext())  # type: ignore[union-attr]
            out[case] = [td.get("data-verdict", "") for td in tr.findall("td") if td.get("class") == "cell"]
    return out


def test_reference_vs_moto(tmp_path: Path) -> None:
    index = merge([REF, MOTO], tmp_path / "matrix")
    root = parse(index)
    grid = cells(root)
    assert len(grid) == 57
    assert grid["VAL-ACCESSTOKEN-MISSING"] == ["PASS", "UNIMPLEMENTED"]
    assert grid["STATE-REMEMBERED"] == ["PASS", "BLOCKED"]
    assert grid["PROTO-UNKNOWN-TARGET"] == ["PASS", "FAIL"]
    differs = [tr for tr in root.iter("tr") if tr.get("data-differs") == "true"]
    assert len(differs) == 57  # moto agrees with the reference nowhere
    # Colored cells that link to the case in that target's own report, which exists.
    links = [a for a in root.iter("a") if a.get("class", "").startswith("v-")]
    assert {a.get("class") for a in links} >= {"v-pass", "v-unimplemented", "v-blocked", "v-fail"}
    for a in links[:5] + links[-5:]:
        page, _, frag = a.get("href", "").partition("#")
        detail = index.parent / page
        assert detail.is_file()
        ids = {el.get("id") for el in parse(detail).iter()}
        assert unquote(frag) in ids
    # A one-line score per target.
    scores = {li.get("data-target"): " ".join("".join(li.itertext()).split()) for li in root.iter("li")}
    assert (
        "53 of 53 applicable requirements passed (57 requirements, 57 judged: 4 informational;"
        in scores["reference"]
    )
    assert (
        "0 of 41 applicable requirements passed (57 requirements, 41 judged: 0 informational;"
        in scores["http://127.0.0.1:5000"]
    )
    assert (index.parent / "targets" / "reference" / "results.json").is_file()


def test_same_spec_twice_gets_two_columns(tmp_path: Path) -> None:
    index = merge([REF, REF, FAULTY], tmp_path)
    assert sorted(p.name for p in (tmp_path / "targets").iterdir()) == [
        "http-127.0.0.1-9229",
        "reference",
        "reference-2",
    ]
    grid = cells(parse(index))
    assert grid["VAL-DEVICEKEY-LENGTH[56]"] == ["PASS", "PASS", "FAIL"]
    assert grid["VAL-ACCESSTOKEN-MISSING"] == ["PASS", "PASS", "PASS"]


def test_a_case_missing_from_one_target(tmp_path: Path) -> None:
    run = json.loads(MOTO.read_text())
    run["cases"] = run["cases"][:10]
    short = tmp_path / "short.json"
    short.write_text(json.dumps(run))
    grid = cells(parse(merge([REF, short], tmp_path / "out")))
    assert grid["STATE-REMEMBERED"] == ["PASS", ""]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "cannot read"),
        ("{not json", "is not JSON"),
        ('{"schema_version": 1}', "is not a valid results file"),
        (b"\xff\xfe", "is not UTF-8"),
    ],
)
def test_bad_input_is_a_usage_error(content: str | bytes | None, message: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    if isinstance(content, bytes):
        bad.write_bytes(content)
    elif content is not None:
        bad.write_text(content)
    out = tmp_path / "out"
    with pytest.raises(SuiteError) as info:
        merge([REF, bad], out)
    assert info.value.exit_code == 2 and message in str(info.value) and "bad.json" in str(info.value)
    assert "\n" not in str(info.value)
    assert not out.exists()  # every input is checked before anything is written


def test_schema_error_names_the_place(tmp_path: Path) -> None:
    run = json.loads(REF.read_text())
    run["cases"][3]["verdict"] = "GREAT"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(run))
    with pytest.raises(SuiteError, match=r"at cases/3/verdict: 'GREAT' is not one of"):
        merge([bad], tmp_path / "out")


def test_nothing_to_merge(tmp_path: Path) -> None:
    with pytest.raises(SuiteError, match="at least one"):
        merge([], tmp_path)


def test_no_secret_anywhere_in_the_matrix(tmp_path: Path) -> None:
    merge([REF, MOTO, FAULTY], tmp_path)
    assert assert_no_secrets(tmp_path) == 7  # index + 3 x (report, results.json)


def headers(root: ET.Element) -> list[str]:
    return [th.get("data-target", "") for th in root.iter("th") if th.get("class") == "target"]


def test_labels_name_the_columns_the_scores_and_the_directories(tmp_path: Path) -> None:
    # Two emulators on localhost: their specs alone would not tell them apart.
    index = merge([MOTO, FAULTY, REF], tmp_path, ["cognito-local 3.23", "cognito-local/latest", None])
    root = parse(index)
    assert headers(root) == ["cognito-local 3.23", "cognito-local/latest", "reference"]
    scores = {li.get("data-target"): " ".join("".join(li.itertext()).split()) for li in root.iter("li")}
    assert list(scores) == headers(root)
    assert "endpoint http://127.0.0.1:5000, from moto.results.json" in scores["cognito-local 3.23"]
    assert "http://127.0.0.1:9229" in scores["cognito-local/latest"]
    assert "reference, from reference.results.json" in scores["reference"]  # the spec is not repeated
    assert sorted(p.name for p in (tmp_path / "targets").iterdir()) == [
        "cognito-local-3.23",
        "cognito-local-latest",
        "reference",
    ]
    links = [a.get("href", "") for a in root.iter("a") if a.get("class", "").startswith("v-")]
    assert {link.split("/")[1] for link in links} == {
        "cognito-local-3.23",
        "cognito-local-latest",
        "reference",
    }


def test_the_results_own_label_names_its_column_unless_merge_gives_one(tmp_path: Path) -> None:
    run = json.loads(MOTO.read_text())
    run["target"]["label"] = "moto 5.2"  # written by `run --label`
    labelled = tmp_path / "labelled.json"
    labelled.write_text(json.dumps(run))
    assert headers(parse(merge([labelled, REF], tmp_path / "a"))) == ["moto 5.2", "reference"]
    assert headers(parse(merge([labelled, REF], tmp_path / "b", ["moto-server", None]))) == [
        "moto-server",
        "reference",
    ]


def test_default_names_taken_twice_are_numbered(tmp_path: Path) -> None:
    # The spec `reference` twice, and a label that is also a spec: every column keeps a name of its own.
    root = parse(merge([REF, REF, MOTO], tmp_path, [None, None, "reference"]))
    assert headers(root) == ["reference (2)", "reference (3)", "reference"]
    assert sorted(p.name for p in (tmp_path / "targets").iterdir()) == [
        "reference",
        "reference-2",
        "reference-3",
    ]


def test_directories_differ_beyond_case_and_stay_short(tmp_path: Path) -> None:
    merge([REF, MOTO, FAULTY], tmp_path, ["Moto", "moto", "x" * 300 + "/../.."])
    names = sorted(p.name for p in (tmp_path / "targets").iterdir())
    assert names == ["Moto", "moto-2", "x" * 64]


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        (["same", "same"], "label 'same' is given twice"),
        (["", None], "is not a name"),
        (["two\nlines", None], "is not a name"),
    ],
)
def test_a_bad_label_is_a_usage_error(labels: list[str | None], message: str, tmp_path: Path) -> None:
    with pytest.raises(SuiteError) as info:
        merge([REF, MOTO], tmp_path / "out", labels)
    assert info.value.exit_code == 2 and message in str(info.value) and "\n" not in str(info.value)
    assert not (tmp_path / "out").exists()
