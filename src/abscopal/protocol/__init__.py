"""Protocol as code: the typed, validated, versioned description of a trial."""

from abscopal.protocol._common import Assumption
from abscopal.protocol.arms import AllParticipants, Arm, ArmType, CohortRule, Condition, Randomised
from abscopal.protocol.assessments import Assessment, AssessmentKind, Specimen
from abscopal.protocol.criteria import Criterion, CriterionKind, display_text
from abscopal.protocol.design import (
    Allocation,
    BlindedParty,
    Design,
    InterventionModel,
    Masking,
    MaskingLevel,
    SafetyRunInRule,
    SimonTwoStageRule,
    Stage,
)
from abscopal.protocol.endpoints import Endpoint, EndpointKind, EndpointLevel, ResponseCriteria
from abscopal.protocol.fields import PATIENT_FIELDS, PatientField
from abscopal.protocol.identity import Identity, Phase, Status
from abscopal.protocol.interventions import (
    Anchor,
    AnchorEvent,
    DeliveryRules,
    Dose,
    DoseMetric,
    DoseUnit,
    DrugIntervention,
    Fractionation,
    PrescriptionRange,
    ProcedureIntervention,
    RadiationIntervention,
    RadiationTechnique,
)
from abscopal.protocol.load import (
    dump_protocol,
    format_location,
    parse_protocol,
    parse_protocol_text,
    protocol_json_schema,
)
from abscopal.protocol.model import SCHEMA_VERSION, Protocol
from abscopal.protocol.statistics import (
    FisherExactDesign,
    SimonTwoStageDesign,
    SurvivalDesign,
    UnstatedDesign,
)

__all__ = [
    "PATIENT_FIELDS",
    "SCHEMA_VERSION",
    "AllParticipants",
    "Allocation",
    "Anchor",
    "AnchorEvent",
    "Arm",
    "ArmType",
    "Assessment",
    "AssessmentKind",
    "Assumption",
    "BlindedParty",
    "CohortRule",
    "Condition",
    "Criterion",
    "CriterionKind",
    "DeliveryRules",
    "Design",
    "Dose",
    "DoseMetric",
    "DoseUnit",
    "DrugIntervention",
    "Endpoint",
    "EndpointKind",
    "EndpointLevel",
    "FisherExactDesign",
    "Fractionation",
    "Identity",
    "InterventionModel",
    "Masking",
    "MaskingLevel",
    "PatientField",
    "Phase",
    "PrescriptionRange",
    "ProcedureIntervention",
    "Protocol",
    "RadiationIntervention",
    "RadiationTechnique",
    "Randomised",
    "ResponseCriteria",
    "SafetyRunInRule",
    "SimonTwoStageDesign",
    "SimonTwoStageRule",
    "Specimen",
    "Stage",
    "Status",
    "SurvivalDesign",
    "UnstatedDesign",
    "display_text",
    "dump_protocol",
    "format_location",
    "parse_protocol",
    "parse_protocol_text",
    "protocol_json_schema",
]
