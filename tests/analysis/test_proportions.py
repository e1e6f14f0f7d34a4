"""Proportions: golden values from R 4.2.2 (tools/gen_analysis_golden.R), input checks, properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abscopal.analysis.proportions import (
    compute_fisher_exact,
    compute_proportion_ci,
    compute_proportion_difference,
)
from abscopal.errors import InputError

RTOL = 1e-9  # scipy's beta quantiles and R's qbeta agree to machine precision


class TestClopperPearson:
    # R: binom.test(x, 16)$conf.int
    @pytest.mark.parametrize(
        ("events", "lower", "upper"),
        [
            (0, 0.0, 0.205907214207823),
            (5, 0.110169954717117, 0.586620636451359),
            (16, 0.794092785792177, 1.0),
        ],
    )
    def test_matches_r_binom_test_for_n16(self, events: int, lower: float, upper: float) -> None:
        r = compute_proportion_ci(events, 16)
        assert r.method == "clopper-pearson"
        assert r.ci_lower_ == pytest.approx(lower, rel=RTOL, abs=1e-15)
        assert r.ci_upper_ == pytest.approx(upper, rel=RTOL)

    def test_0_of_16_upper_limit_is_the_closed_form(self) -> None:
        # Published closed form for x = 0: 1 - (alpha/2)^(1/n) = 1 - 0.025^(1/16)
        assert compute_proportion_ci(0, 16).ci_upper_ == pytest.approx(1 - 0.025 ** (1 / 16))


class TestWilson:
    # R: prop.test(x, 16, correct = FALSE)$conf.int
    @pytest.mark.parametrize(
        ("events", "lower", "upper"),
        [
            (0, 0.0, 0.193607680534436),
            (5, 0.14164643854782, 0.555956441652593),
            (16, 0.806392319465564, 1.0),
        ],
    )
    def test_matches_r_prop_test_without_correction(
        self, events: int, lower: float, upper: float
    ) -> None:
        r = compute_proportion_ci(events, 16, method="Wilson")
        assert r.method == "wilson"
        assert r.ci_lower_ == pytest.approx(lower, rel=1e-9, abs=1e-15)
        assert r.ci_upper_ == pytest.approx(upper, rel=1e-9)


def test_summary_names_the_method() -> None:
    assert compute_proportion_ci(5, 16).summary == (
        "5/16 = 31.2% (95% CI 11.0% to 58.7%, Clopper-Pearson)"
    )


def test_result_carries_its_inputs() -> None:
    d = compute_proportion_ci(5, 16, confidence=0.9).to_dict()
    assert (d["events"], d["n"], d["confidence"], d["method"]) == (5, 16, 0.9, "clopper-pearson")


class TestFisher:
    # R: fisher.test(matrix(c(13, 13, 4, 22), 2))
    #    p 0.0167005066052869, estimate 5.31122339580305, conf.int 1.2889052560246 27.2610451056203
    def test_matches_r_fisher_test(self) -> None:
        r = compute_fisher_exact(13, 26, 4, 26)
        assert r.p_value_ == pytest.approx(0.0167005066052869, rel=1e-9)
        # rtol 1e-4: R and scipy solve the conditional-MLE equations with different root finders
        assert r.odds_ratio_ == pytest.approx(5.31122339580305, rel=1e-4)
        assert r.odds_ratio_ci_lower_ == pytest.approx(1.2889052560246, rel=1e-4)
        assert r.odds_ratio_ci_upper_ == pytest.approx(27.2610451056203, rel=1e-4)
        assert r.sample_odds_ratio_ == pytest.approx(13 * 22 / (13 * 4))

    # R: fisher.test(matrix(c(13, 13, 4, 22), 2), alternative = "greater")$p.value
    def test_one_sided_matches_r(self) -> None:
        r = compute_fisher_exact(13, 26, 4, 26, alternative="greater")
        assert r.p_value_ == pytest.approx(0.00835025330264346, rel=1e-9)


class TestNewcombe:
    def test_hybrid_score_interval_matches_statsmodels(self) -> None:
        # statsmodels confint_proportions_2indep(13, 26, 4, 26, method="newcomb"):
        # (0.09098315554262204, 0.547920989936574)
        r = compute_proportion_difference(13, 26, 4, 26)
        assert r.difference_ == pytest.approx(9 / 26)
        assert r.ci_lower_ == pytest.approx(0.09098315554262204, rel=1e-9)
        assert r.ci_upper_ == pytest.approx(0.547920989936574, rel=1e-9)
        assert r.method == "newcombe"

    def test_newcombe_1998_table_ii_example(self) -> None:
        # Newcombe (1998) Table II, example (a): 56/70 vs 48/80 -> -0.0524 to 0.3339 (method 10)
        r = compute_proportion_difference(56, 70, 48, 80)
        assert (round(r.ci_lower_, 4), round(r.ci_upper_, 4)) == (0.0524, 0.3339)


class TestInvalidInputs:
    @pytest.mark.parametrize(
        ("events", "n", "fragment"),
        [
            (-1, 16, "'events' must be between 0 and n = 16 (got -1)"),
            (17, 16, "'events' must be between 0 and n = 16 (got 17)"),
            (1, 0, "'n' must be >= 1 (got 0)"),
            (1.5, 16, "'events' must be an integer (got 1.5)"),
            (True, 16, "'events' must be an integer (got True)"),  # bools are not counts
        ],
    )
    def test_bad_counts_are_named(self, events: object, n: object, fragment: str) -> None:
        with pytest.raises(InputError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
            compute_proportion_ci(events, n)  # type: ignore[arg-type]

    def test_unknown_method(self) -> None:
        with pytest.raises(InputError, match="'method' must be one of"):
            compute_proportion_ci(1, 2, method="wald")

    @pytest.mark.parametrize("confidence", [0.0, 1.0, 95])
    def test_confidence_outside_unit_interval(self, confidence: float) -> None:
        with pytest.raises(InputError, match="'confidence'"):
            compute_proportion_ci(1, 2, confidence=confidence)


@given(
    n=st.integers(1, 300),
    data=st.data(),
    method=st.sampled_from(["clopper-pearson", "wilson"]),
    confidence=st.floats(0.5, 0.999),
)
def test_ci_contains_the_estimate(n: int, data: st.DataObject, method: str,
                                  confidence: float) -> None:
    events = data.draw(st.integers(0, n))
    r = compute_proportion_ci(events, n, method=method, confidence=confidence)
    assert 0.0 <= r.ci_lower_ <= r.estimate_ <= r.ci_upper_ <= 1.0


@given(n1=st.integers(1, 80), n2=st.integers(1, 80), data=st.data())
def test_difference_ci_contains_the_difference(n1: int, n2: int, data: st.DataObject) -> None:
    e1, e2 = data.draw(st.integers(0, n1)), data.draw(st.integers(0, n2))
    r = compute_proportion_difference(e1, n1, e2, n2)
    assert -1.0 <= r.ci_lower_ <= r.difference_ + 1e-12
    assert r.difference_ - 1e-12 <= r.ci_upper_ <= 1.0


def test_difference_and_fisher_reject_unknown_options() -> None:
    with pytest.raises(InputError, match="'method' must be one of \\['newcombe'\\]"):
        compute_proportion_difference(1, 2, 1, 2, method="wald")
    with pytest.raises(InputError, match="'alternative' must be one of"):
        compute_fisher_exact(1, 2, 1, 2, alternative="bigger")
    with pytest.raises(InputError, match="'events_2' must be between 0 and n = 2 \\(got 3\\)"):
        compute_fisher_exact(1, 2, 3, 2)


def test_fisher_summary_and_dict() -> None:
    r = compute_fisher_exact(13, 26, 4, 26)
    assert r.summary.startswith("Fisher's exact test 13/26 vs 4/26: p = 0.0167 (two-sided)")
    assert r.to_dict()["sample_odds_ratio"] == 5.5
