"""``abscopal dose``: outputs, JSON, and exit code 2 without a traceback on bad input."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from abscopal.cli.main import app
from abscopal.exchange.rt_phantom import PhantomStructure, make_box_contours, write_phantom

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["dose", *args])


def run_json(*args: str):
    result = run(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


class TestLq:
    def test_bed_text(self):
        r = run("bed", "--dose-per-fraction-gy", "15", "--fractions", "3", "--alpha-beta-gy", "10")
        assert r.exit_code == 0
        assert "BED10 = 112.500 Gy" in r.output and "EQD2(a/b=10) = 93.750 Gy" in r.output
        assert "LQ model is questioned" in r.output

    def test_eqd2_json(self):
        out = run_json("eqd2", "--dose-per-fraction-gy", "5", "--fractions", "5",
                       "--alpha-beta-gy", "3")
        # radiobiology_spec §1: 5 Gy x 5 -> BED3 66.667, EQD2(3) 40.000
        assert out["eqd2_gy"] == pytest.approx(40.0) and out["bed_gy"] == pytest.approx(66.667,
                                                                                        abs=1e-3)
        assert out["bed_label"] == "BED3" and out["model"] == "LQ"

    def test_eqdx(self):
        out = run_json("eqd2", "--dose-per-fraction-gy", "2", "--fractions", "30",
                       "--alpha-beta-gy", "10", "--reference-dose-per-fraction-gy", "3")
        assert out["eqdx_gy"] == pytest.approx(55.384615, abs=1e-6) and out["label"] == "EQD3"

    def test_bed_with_repopulation(self):
        out = run_json("bed", "--dose-per-fraction-gy", "2", "--fractions", "35",
                       "--alpha-beta-gy", "10", "--overall-time-days", "46",
                       "--kickoff-days", "28", "--dprolif-gy-per-day", "0.9")
        assert out["bed_gy"] == pytest.approx(84 - 0.9 * 18)

    def test_infinite_alpha_beta(self):
        out = run_json("bed", "--dose-per-fraction-gy", "2", "--fractions", "30",
                       "--alpha-beta-gy", "inf")
        assert out["bed_gy"] == 60.0 and out["alpha_beta_gy"] == "inf"

    def test_fraction_size(self):
        out = run_json("fraction-size", "--bed-gy", "112.5", "--fractions", "3",
                       "--alpha-beta-gy", "10")
        assert out["dose_per_fraction_gy"] == pytest.approx(15.0)

    def test_sum(self):
        out = run_json("sum", "--course", "2x25", "--course", "5x5", "--alpha-beta-gy", "10")
        assert out["bed_gy"] == 97.5 and len(out["courses"]) == 2


class TestImplantAndEdic:
    def test_implant(self):
        out = run_json("implant", "--d90-gy", "140", "--days", "59.4")
        # radiobiology_spec §2: 140 Gy, a/b 10, T_rep 1.5 h -> BED 142.060; R0 6.8070 cGy/h
        assert out["result"]["bed_gy"] == pytest.approx(142.060, abs=5e-4)
        assert out["initial_dose_rate_cgy_per_h"] == pytest.approx(6.8070, abs=5e-5)
        assert out["by_day"]["dose_delivered_gy"] == pytest.approx(70.0)
        assert out["result"]["evaluated_at_days"] == "inf"

    def test_implant_with_repopulation(self):
        out = run_json("implant", "--d90-gy", "145", "--alpha-beta-gy", "3.1",
                       "--repair-half-time-h", "0.27", "--alpha-per-gy", "0.15",
                       "--tpot-days", "42")
        assert out["result"]["bed_gy"] == pytest.approx(111.08, abs=5e-3)

    def test_implant_text(self):
        r = run("implant", "--d90-gy", "90")
        assert r.exit_code == 0 and "BED = 90.851 Gy" in r.output

    def test_edic(self):
        out = run_json("edic", "--mean-lung-dose-gy", "15", "--mean-heart-dose-gy", "10",
                       "--mean-body-dose-gy", "5", "--fractions", "30")
        assert round(out["edic_gy"], 3) == 6.065 and out["model"] == "edic_jin_thorax"


@pytest.fixture(scope="module")
def phantom(tmp_path_factory):
    # Uniform-dose line phantom: D90 126, V100 80 %, V150 30 % at Rx 140 with 1 Gy bins.
    dose = np.broadcast_to(112.5 + np.arange(140.0), (2, 2, 140)).copy()
    structures = [PhantomStructure("PTV", make_box_contours((0, 140), (0, 2), [0.5, 1.5]))]
    return write_phantom(tmp_path_factory.mktemp("cli"), dose, structures,
                         origin_mm=(0.5, 0.5, 0.5), spacing_mm=(1, 1, 1))


class TestDvh:
    def test_dvh_json(self, phantom):
        out = run_json("dvh", "--rtdose", str(phantom[0]), "--rtstruct", str(phantom[1]),
                       "--prescription-gy", "140", "--bin-width-gy", "1", "--v-gy", "200")
        (ptv,) = out["structures"]
        assert ptv["name"] == "PTV" and ptv["volume_cc"] == pytest.approx(0.56)
        assert ptv["D90_gy"] == pytest.approx(126.0)
        assert (ptv["V100_percent"], ptv["V150_percent"]) == pytest.approx((80.0, 30.0))
        assert ptv["V200Gy_cc"] == pytest.approx(0.56 * 52 / 140)
        assert "linear" in out["interpolation"]

    def test_dvh_text(self, phantom):
        r = run("dvh", "--rtdose", str(phantom[0]), "--rtstruct", str(phantom[1]),
                "--structure", "PTV", "--bin-width-gy", "1", "--prescription-gy", "140")
        assert r.exit_code == 0 and "1 PTV [calculated]" in r.output and "D90 126.00" in r.output


class TestBadInput:
    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (["bed", "--dose-per-fraction-gy", "-1", "--fractions", "3", "--alpha-beta-gy", "10"],
             "'dose_per_fraction_gy' must be >= 0"),
            (["eqd2", "--dose-per-fraction-gy", "2", "--fractions", "0", "--alpha-beta-gy", "3"],
             "'fractions' must be an integer >= 1"),
            (["bed", "--dose-per-fraction-gy", "2", "--fractions", "3", "--alpha-beta-gy", "0"],
             "'alpha_beta_gy' must be > 0"),
            (["bed", "--dose-per-fraction-gy", "2", "--fractions", "3", "--alpha-beta-gy", "10",
              "--overall-time-days", "30"], "repopulation needs"),
            (["sum", "--course", "2by25", "--alpha-beta-gy", "10"], "DOSExFRACTIONS"),
            (["implant", "--d90-gy", "-140"], "'total_dose_gy' must be >= 0"),
            (["implant", "--d90-gy", "140", "--tpot-days", "42"], "needs both"),
            (["edic", "--mean-lung-dose-gy", "-1", "--mean-heart-dose-gy", "1",
              "--mean-body-dose-gy", "1", "--fractions", "5"], "'mean_lung_dose_gy'"),
            (["dvh", "--rtdose", "/nonexistent/rtdose.dcm", "--rtstruct", "x.dcm"],
             "does not exist"),
        ],
    )
    def test_exit_2_with_message_and_no_traceback(self, args, message):
        r = run(*args)
        assert r.exit_code == 2
        assert message in " ".join(r.output.split())
        assert "Traceback" not in r.output

    def test_unknown_structure(self, phantom):
        r = run("dvh", "--rtdose", str(phantom[0]), "--rtstruct", str(phantom[1]),
                "--structure", "Rectum")
        assert r.exit_code == 2 and "not found" in r.output

    def test_swapped_files(self, phantom):
        r = run("dvh", "--rtdose", str(phantom[1]), "--rtstruct", str(phantom[0]))
        assert r.exit_code == 2 and "expected Modality RTDOSE" in " ".join(r.output.split())

    def test_missing_option_is_a_usage_error(self):
        r = run("bed", "--dose-per-fraction-gy", "2")
        assert r.exit_code == 2
