"""Screening (shell): single-patient reports and batch screening of OMOP CDM databases."""
