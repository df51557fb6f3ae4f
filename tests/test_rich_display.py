"""Rich display for notebooks: Evidence, Outcome, Analysis and Calibration render as HTML / LaTeX that says what
the objects hold (verdict, both sides of the rule, escaped user text)."""
from __future__ import annotations

import dataclasses
import html.parser

import sympy as sp

from theorylab.engine import Outcome, evaluate, select
from theorylab.theory import analyse
from theorylab.theory.calibration import derive


class _Text(html.parser.HTMLParser):
    """Collects the text of an HTML fragment and checks that its tags nest."""

    def __init__(self):
        super().__init__()
        self.text, self.stack = [], []

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack.pop() == tag, f"</{tag}> does not close the open tag"

    def handle_data(self, data):
        self.text.append(data)


def _text(fragment: str) -> str:
    p = _Text()
    p.feed(fragment)
    p.close()
    assert not p.stack, f"unclosed tags {p.stack}"
    return " ".join(p.text)


def test_evidence_html_shows_the_verdict_and_both_sides_of_the_rule():
    ev = evaluate(select("bartlett2006/convex-cc-criterion")[0])
    text = _text(ev._repr_html_())
    assert ev.verdict == "PASS" and "PASS" in text and ev.claim_id in text
    assert "φ'(0) < 0" in text  # the statement, unescaped by the parser: it was escaped in the HTML
    assert f"over {ev.cases} cases" in text and "held" in text
    assert ev.negative_control in text and f"{ev.negative_control_verdict}" in text


def test_evidence_html_escapes_and_reports_a_failure():
    ev = evaluate(select("bartlett2006/convex-cc-criterion")[0])
    bad = dataclasses.replace(ev, verdict="FAIL", statement="<script>alert(1)</script>", worst_slack=-1.0,
                              tolerance=0.0, error="")
    frag = bad._repr_html_()
    assert "<script>" not in frag and "&lt;script&gt;" in frag
    text = _text(frag)
    assert "FAIL" in text and "violated" in text and "−1" in text


def test_outcome_html():
    out = Outcome(cases=7, worst_slack=-2.5e-3, worst_case={"theta": 0.25, "note": "<b>"}, fingerprint="abc")
    text = _text(out._repr_html_())
    assert "7" in text and "−0.0025" in text and '"theta": 0.25' in text and "<b>" in text and "abc" in text


def test_calibration_latex_and_html_hold_the_derivation():
    cal = derive("hinge")
    latex = cal._repr_latex_()
    assert latex.startswith("$$\\begin{aligned}") and latex.endswith("\\end{aligned}$$")
    assert r"\tilde\psi(\theta) &= \theta" in latex and r"H(\eta) &= 2 - 2 \eta" in latex
    assert r"\psi^{-1}(\epsilon) &= \epsilon" in latex
    text = _text(cal._repr_html_())
    assert "ψ̃(θ)" in text and "2 - 2*eta" in text
    # the LaTeX of every row parses back to the expression it came from
    for lhs, expr in cal._rows():
        if not isinstance(expr, str):
            assert sp.latex(expr) in latex


def test_analysis_html_and_latex():
    a = analyse("logistic", budget=5)
    text = _text(a._repr_html_())
    assert "logistic" in text and "calibrated" in text
    assert a._repr_latex_().startswith("$") and r"\psi(\theta)" in a._repr_latex_()
