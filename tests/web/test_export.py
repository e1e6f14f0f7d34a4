"""SDTM export of the caller's view of a trial (views.export)."""

from __future__ import annotations

import io
import zipfile

import pandas as pd

from service_support import ARM_STRINGS


def _files(response) -> dict[str, str]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as zf:
        return {name.split("/")[-1]: zf.read(name).decode("latin-1") for name in zf.namelist()}


def test_unblinded_export_has_the_arm_and_derived_responses(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    files = _files(client_for("investigator").get(f"/trials/{seeded.trial_id}/export/sdtm.zip"))
    assert {"dm.xpt", "dm.csv", "ex.csv", "ae.csv", "lb.csv", "tu.csv", "tr.csv", "rs.csv", "ta.csv"} <= set(files)
    dm = pd.read_csv(io.StringIO(files["dm.csv"]))
    a001 = dm[dm["SUBJID"] == "A-001"].iloc[0]
    assert a001["ARM"] in ("Zircon combination arm", "Zircon control arm")
    assert "B-001" not in files["dm.csv"]  # other site's subject left out
    tr = pd.read_csv(io.StringIO(files["tr.csv"]))
    assert list(tr["TRSTRESN"]) == [30.0]  # the seeded baseline T1 30 mm
    lb = pd.read_csv(io.StringIO(files["lb.csv"]))
    assert list(lb["LBTEST"]) == ["neutrophils"]


def test_blinded_export_reveals_no_arm(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    for role in ("imaging_reviewer", "statistician"):
        r = client_for(role).get(f"/trials/{seeded.trial_id}/export/sdtm.zip")
        assert "blinded" in r.headers["content-disposition"]
        files = _files(r)
        assert "ta.csv" not in files
        blob = "\n".join(v for k, v in files.items() if k.endswith(".csv")).lower()
        leaked = [s for s in ARM_STRINGS if s.lower() in blob]
        assert not leaked, (role, leaked)
        assert "seed implant" not in blob and "sintilimab" not in blob
        dm = pd.read_csv(io.StringIO(files["dm.csv"]))
        assert set(dm["ARM"]) <= {"Blinded", "Screen Failure"}


def test_trial_report_from_stored_data_is_linked_for_unblinded_roles(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    c = client_for("investigator")
    dashboard = c.get(f"/trials/{seeded.trial_id}").text
    assert f'href="/trials/{seeded.trial_id}/report.html"' in dashboard
    r = c.get(f"/trials/{seeded.trial_id}/report.html")
    assert r.status_code == 200, r.text[:500]
    assert r.headers["content-type"].startswith("text/html")
    assert "NCT09999901" in r.text  # the stored trial's own report


def test_trial_report_is_refused_to_blinded_roles(client_for, seeded) -> None:  # type: ignore[no-untyped-def]
    for role in ("imaging_reviewer", "statistician"):
        c = client_for(role)
        assert "report.html" not in c.get(f"/trials/{seeded.trial_id}").text
        r = c.get(f"/trials/{seeded.trial_id}/report.html")
        assert r.status_code == 403
        assert not [s for s in ARM_STRINGS if s.lower() in r.text.lower()]
