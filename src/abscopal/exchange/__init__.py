"""Exchange with outside standards: ClinicalTrials.gov records, CDISC SDTM, DICOM-RT (shell)."""
