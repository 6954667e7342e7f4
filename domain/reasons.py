"""ESR sickness reason codes (SPEC section 9).

The reason is special category health data: managers see only its group,
payroll never sees it. Groups follow the NHS Digital sickness-absence
publication, which is also what `absence_stats` reports by.
"""

REASONS: dict[str, str] = {
    "S10": "Anxiety/stress/depression/other psychiatric illnesses",
    "S11": "Back problems",
    "S12": "Other musculoskeletal problems",
    "S13": "Cold, cough, flu - influenza",
    "S14": "Asthma",
    "S15": "Chest and respiratory problems",
    "S16": "Headache/migraine",
    "S17": "Benign and malignant tumours, cancers",
    "S18": "Blood disorders",
    "S19": "Heart, cardiac and circulatory problems",
    "S20": "Burns, poisoning, frostbite, hypothermia",
    "S21": "Ear, nose, throat (ENT)",
    "S22": "Dental and oral problems",
    "S23": "Eye problems",
    "S24": "Endocrine/glandular problems",
    "S25": "Gastrointestinal problems",
    "S26": "Genitourinary and gynaecological disorders",
    "S27": "Infectious diseases",
    "S28": "Injury, fracture",
    "S29": "Nervous system disorders",
    "S30": "Pregnancy related disorders",
    "S31": "Skin disorders",
    "S32": "Substance abuse",
    "S98": "Other known causes - not elsewhere classified",
    "S99": "Unknown causes/not specified",
}

PREGNANCY_RELATED = "S30"

_GROUPS = {
    "mental_health": {"S10"},
    "musculoskeletal": {"S11", "S12", "S28"},
    "respiratory": {"S13", "S14", "S15", "S21"},
    "gastrointestinal": {"S25"},
    "infectious": {"S27"},
    "pregnancy": {"S30"},
    "other_known": {"S16", "S17", "S18", "S19", "S20", "S22", "S23", "S24",
                    "S26", "S29", "S31", "S32", "S98"},
    "unknown": {"S99"},
}
GROUP_OF: dict[str, str] = {code: group for group, codes in _GROUPS.items() for code in codes}
assert set(GROUP_OF) == set(REASONS), "every reason code belongs to exactly one group"
