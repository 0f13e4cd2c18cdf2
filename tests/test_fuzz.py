"""Bounded fuzzing in the regular suite (hypothesis): the bad-input promise on inputs nobody wrote by hand.

(a) DXF: mutations of small valid drawings, drawings generated from scratch,
and raw tag streams drawn by hypothesis, checked in-process with
:func:`drawcheck.pipeline.check` -> a report (rendered as json, html, sarif,
junit; every text valid UTF-8) or an ``InputError`` with a one-line message,
never another exception, and within a time budget.

(b) manifests: TOML-ish text, mutations of a valid manifest and random
key/value trees through :func:`drawcheck.manifest.load_manifest` -> a
``Manifest`` (whose inputs stay inside the folder) or a ``ManifestError``.

The generators live in ``fuzz/`` and are shared with the long harnesses
(``fuzz/fuzz_dxf.py``, ``fuzz/fuzz_manifest.py``); hypothesis draws their
random choices, so a failure shrinks and prints a reproducible example.
Each test is bounded (``max_examples``, no database written).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "fuzz"))

import gen_dxf  # noqa: E402
import gen_manifest  # noqa: E402
import oracle  # noqa: E402

#: Seconds one input may take before it counts as a hang (small inputs take ~0.05 s).
BUDGET = 20.0
FORMATS = ("json", "html", "sarif", "junit")  # the dxf markup re-reads the drawing: see the README table
FUZZ = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _check(data: bytes, folder: Path) -> None:
    assert oracle.check_dxf(data, folder, formats=FORMATS, budget=BUDGET) in ("report", "input-error")


# -- (a) DXF -----------------------------------------------------------------------------------------------
def test_seed_drawings_are_valid(folder):
    """The mutation seeds themselves give reports (else the mutations would test little)."""
    for seed in gen_dxf.seed_documents():
        assert oracle.check_dxf(seed, folder, formats=FORMATS) == "report"


@FUZZ
@given(rnd=st.randoms(use_true_random=False))
def test_mutated_drawings_give_a_report_or_the_documented_error(folder, rnd):
    _check(gen_dxf.mutate(rnd.choice(gen_dxf.seed_documents()), rnd), folder)


@FUZZ
@given(rnd=st.randoms(use_true_random=False))
def test_generated_drawings_give_a_report_or_the_documented_error(folder, rnd):
    _check(gen_dxf.generate(rnd), folder)


def _pair(code: int) -> st.SearchStrategy:
    values = st.one_of(
        st.sampled_from(gen_dxf.NASTY_NUMBERS + gen_dxf.NASTY_TEXT + gen_dxf.LAYERS + gen_dxf.STRUCTURE
                        + gen_dxf.ENTITY_TYPES),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.integers(-2 ** 40, 2 ** 40).map(str),
        st.text(max_size=20).filter(lambda s: "\n" not in s and "\r" not in s),
    )
    return values.map(lambda v: f"{code}\n{v}")


ENTITY = st.tuples(st.sampled_from(gen_dxf.ENTITY_TYPES), st.sampled_from(gen_dxf.LAYERS),
                   st.lists(st.sampled_from(gen_dxf.CODES[1:]).flatmap(_pair), max_size=12)).map(
    lambda t: "\n".join([f"0\n{t[0]}\n8\n{t[1]}", *t[2]]))


@FUZZ
@given(header=st.lists(st.sampled_from(gen_dxf.CODES).flatmap(_pair), max_size=6),
       entities=st.lists(ENTITY, max_size=12), tail=st.sampled_from(["0\nENDSEC\n0\nEOF\n", "0\nENDSEC\n", ""]),
       encoding=st.sampled_from(["utf-8", "gbk", "utf-16"]))
def test_tag_streams_give_a_report_or_the_documented_error(folder, header, entities, tail, encoding):
    text = "\n".join(["0\nSECTION\n2\nHEADER", *header, "0\nENDSEC\n0\nSECTION\n2\nENTITIES", *entities]) + "\n" + tail
    _check(text.encode(encoding, errors="replace"), folder)


# -- (b) manifests -----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def submission(tmp_path_factory) -> Path:
    sub = tmp_path_factory.mktemp("manifest") / "submission"
    sub.mkdir()
    gen_manifest.prepare_folder(sub)
    return sub


@pytest.fixture(scope="module", autouse=True)
def nothing_evaluated():
    """The generators write ``touch /tmp/drawcheck-pwned`` into values: it must never run."""
    gen_manifest_pwned = Path("/tmp/drawcheck-pwned")
    gen_manifest_pwned.unlink(missing_ok=True)
    yield
    assert not gen_manifest_pwned.exists(), "a manifest value was evaluated"


def _load(data: bytes, sub: Path) -> None:
    assert oracle.check_manifest(data, sub, budget=BUDGET) in ("manifest", "manifest-error")


@FUZZ
@given(rnd=st.randoms(use_true_random=False))
def test_manifest_text_gives_a_manifest_or_a_manifest_error(submission, rnd):
    _load(gen_manifest.toml_text(rnd) if rnd.random() < 0.5 else gen_manifest.mutate(
        gen_manifest.VALID.encode("utf-8"), rnd), submission)


SCALARS = st.one_of(st.booleans(), st.integers(-2 ** 63, 2 ** 63 - 1), st.floats(), st.text(max_size=30),
                    st.sampled_from(gen_manifest.PATHS + gen_manifest.CODE), st.dates())
KEYS = st.one_of(st.sampled_from([k.strip('"\'') for k in gen_manifest.KEYS] + gen_manifest.TABLES),
                 st.text(min_size=1, max_size=10))
TREES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
                     max_leaves=20)
SECTIONS = st.fixed_dictionaries(
    {"project": st.fixed_dictionaries({"inputs": st.one_of(TREES, st.lists(st.sampled_from(gen_manifest.PATHS),
                                                                           max_size=3))},
                                      optional={"packs": TREES, "name": TREES})},
    optional={k: st.dictionaries(KEYS, TREES, max_size=5)
              for k in ("site", "conditions", "layers", "overrides", "limits", "extra")} | {"claims": TREES})


@FUZZ
@given(tree=SECTIONS)
def test_manifest_trees_give_a_manifest_or_a_manifest_error(submission, tree):
    _load(gen_manifest.dump(tree), submission)
