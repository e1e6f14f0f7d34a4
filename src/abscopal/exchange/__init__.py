"""Data exchange with other systems (shell): DICOM-RT, CDISC, registries."""
