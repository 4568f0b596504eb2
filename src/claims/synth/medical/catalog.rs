//! The medical catalog: procedures, diagnoses, specialties and their visits, and who may receive what.

use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum SexRule {
    Any,
    FemaleOnly,
    MaleOnly,
}

/// Which members a procedure or diagnosis fits.
#[derive(Debug, Clone, Copy)]
pub(super) struct Who {
    pub(super) sex: SexRule,
    pub(super) min_age: u8,
    pub(super) max_age: u8,
}

impl Who {
    pub(super) fn allows(self, member: &Member) -> bool {
        let sex_ok = match self.sex {
            SexRule::Any => true,
            SexRule::FemaleOnly => member.female,
            SexRule::MaleOnly => !member.female,
        };
        sex_ok && (self.min_age..=self.max_age).contains(&member.age)
    }
}

pub(super) const fn who(sex: SexRule, min_age: u8, max_age: u8) -> Who {
    Who { sex, min_age, max_age }
}

pub(super) const ANYONE: Who = who(SexRule::Any, 0, 120);
pub(super) const ADULTS: Who = who(SexRule::Any, 18, 120);

/// How serious a diagnosis is: it sets the E/M level mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Acuity {
    Minor,
    Chronic,
    Serious,
    Routine,
}

pub(super) struct DiagnosisSpec {
    pub(super) code: &'static str,
    pub(super) who: Who,
    pub(super) acuity: Acuity,
}

pub(super) const fn dx(code: &'static str, who: Who, acuity: Acuity) -> DiagnosisSpec {
    DiagnosisSpec { code, who, acuity }
}

use Acuity::{Chronic, Minor, Routine, Serious};
use SexRule::{Any, FemaleOnly, MaleOnly};

pub(super) const DIAGNOSES: [DiagnosisSpec; 32] = [
    dx("I10", ADULTS, Chronic),
    dx("E11.9", who(Any, 10, 120), Chronic),
    dx("E78.5", ADULTS, Chronic),
    dx("E03.9", ANYONE, Chronic),
    dx("F41.1", who(Any, 10, 120), Chronic),
    dx("J45.909", ANYONE, Chronic),
    dx("J06.9", ANYONE, Minor),
    dx("M54.50", who(Any, 12, 120), Minor),
    dx("N39.0", ANYONE, Minor),
    dx("R51.9", ANYONE, Minor),
    dx("M25.561", ANYONE, Minor),
    dx("R53.83", ANYONE, Minor),
    dx("H66.90", who(Any, 0, 17), Minor),
    dx("S93.401A", ANYONE, Minor),
    dx("S83.241A", who(Any, 12, 120), Minor),
    dx("M17.11", who(Any, 40, 120), Chronic),
    dx("R07.9", who(Any, 12, 120), Serious),
    dx("I48.91", who(Any, 40, 120), Serious),
    dx("J18.9", ANYONE, Serious),
    dx("R10.9", ANYONE, Serious),
    dx("Z00.00", ADULTS, Routine),
    dx("Z00.129", who(Any, 0, 17), Routine),
    dx("Z23", ANYONE, Routine),
    dx("Z01.419", who(FemaleOnly, 18, 120), Routine),
    dx("Z12.4", who(FemaleOnly, 21, 120), Routine),
    dx("Z12.31", who(FemaleOnly, 40, 120), Routine),
    dx("Z34.00", who(FemaleOnly, 14, 50), Routine),
    dx("O80", who(FemaleOnly, 14, 50), Serious),
    dx("Z30.42", who(FemaleOnly, 14, 55), Routine),
    dx("Z12.5", who(MaleOnly, 40, 120), Routine),
    dx("R97.20", who(MaleOnly, 40, 120), Serious),
    dx("N40.1", who(MaleOnly, 40, 120), Chronic),
];

/// Units distributions: (units, weight).
pub(super) type Units = &'static [(f64, f64)];
/// Weighted places of service: (CMS code, weight).
pub(super) type Places = &'static [(&'static str, f64)];

pub(super) const ONE_UNIT: Units = &[(1.0, 1.0)];
pub(super) const OFFICE: Places = &[("11", 1.0)];
pub(super) const EMERGENCY_ROOM: Places = &[("23", 1.0)];
pub(super) const INPATIENT: Places = &[("21", 1.0)];
pub(super) const LAB_SITES: Places = &[("81", 0.6), ("11", 0.4)];
pub(super) const IMAGING_SITES: Places = &[("11", 0.4), ("22", 0.45), ("23", 0.15)];
pub(super) const THERAPY_SITES: Places = &[("11", 0.8), ("22", 0.2)];
pub(super) const SURGERY_SITES: Places = &[("22", 0.5), ("24", 0.5)];
pub(super) const OFFICE_OR_OUTPATIENT: Places = &[("11", 0.6), ("22", 0.4)];
pub(super) const INJECTION_SITES: Places = &[("11", 0.85), ("23", 0.15)];

pub(super) struct ProcedureSpec {
    pub(super) code: &'static str,
    /// Median allowed amount per unit.
    pub(super) price: f64,
    pub(super) units: Units,
    pub(super) who: Who,
    /// Diagnoses the procedure is billed with; empty = the encounter's diagnosis.
    pub(super) diagnoses: &'static [&'static str],
    pub(super) places: Places,
    pub(super) days_supply: f64,
}

pub(super) const fn procedure(
    code: &'static str,
    price: f64,
    units: Units,
    who: Who,
    diagnoses: &'static [&'static str],
    places: Places,
) -> ProcedureSpec {
    ProcedureSpec { code, price, units, who, diagnoses, places, days_supply: 0.0 }
}

pub(super) const fn drug(code: &'static str, price: f64, units: Units, who: Who, days_supply: f64) -> ProcedureSpec {
    ProcedureSpec { code, price, units, who, diagnoses: &[], places: INJECTION_SITES, days_supply }
}

pub(super) const PROCEDURES: [ProcedureSpec; 60] = [
    // Office E/M, established and new patients.
    procedure("99212", 57.0, ONE_UNIT, ANYONE, &[], OFFICE),
    procedure("99213", 92.0, ONE_UNIT, ANYONE, &[], OFFICE),
    procedure("99214", 131.0, ONE_UNIT, ANYONE, &[], OFFICE),
    procedure("99215", 184.0, ONE_UNIT, ANYONE, &[], OFFICE),
    procedure("99202", 73.0, ONE_UNIT, ANYONE, &[], OFFICE),
    procedure("99203", 112.0, ONE_UNIT, ANYONE, &[], OFFICE),
    procedure("99204", 168.0, ONE_UNIT, ANYONE, &[], OFFICE),
    procedure("99205", 222.0, ONE_UNIT, ANYONE, &[], OFFICE),
    // Preventive medicine visits, by age band.
    procedure("99391", 105.0, ONE_UNIT, who(Any, 0, 0), &["Z00.129"], OFFICE),
    procedure("99392", 115.0, ONE_UNIT, who(Any, 1, 4), &["Z00.129"], OFFICE),
    procedure("99393", 115.0, ONE_UNIT, who(Any, 5, 11), &["Z00.129"], OFFICE),
    procedure("99394", 125.0, ONE_UNIT, who(Any, 12, 17), &["Z00.129"], OFFICE),
    procedure("99395", 125.0, ONE_UNIT, who(Any, 18, 39), &["Z00.00"], OFFICE),
    procedure("99396", 135.0, ONE_UNIT, who(Any, 40, 64), &["Z00.00"], OFFICE),
    procedure("99397", 145.0, ONE_UNIT, who(Any, 65, 120), &["Z00.00"], OFFICE),
    // Emergency department E/M.
    procedure("99283", 76.0, ONE_UNIT, ANYONE, &[], EMERGENCY_ROOM),
    procedure("99284", 128.0, ONE_UNIT, ANYONE, &[], EMERGENCY_ROOM),
    procedure("99285", 186.0, ONE_UNIT, ANYONE, &[], EMERGENCY_ROOM),
    // Sex- and age-specific services.
    procedure("G0101", 45.0, ONE_UNIT, who(FemaleOnly, 21, 120), &["Z01.419", "Z12.4"], OFFICE),
    procedure("77067", 140.0, ONE_UNIT, who(FemaleOnly, 40, 120), &["Z12.31"], IMAGING_SITES),
    procedure("84153", 25.0, ONE_UNIT, who(MaleOnly, 40, 120), &["Z12.5", "R97.20", "N40.1"], LAB_SITES),
    procedure("55700", 310.0, ONE_UNIT, who(MaleOnly, 40, 120), &["R97.20"], OFFICE_OR_OUTPATIENT),
    procedure("59400", 2600.0, ONE_UNIT, who(FemaleOnly, 14, 50), &["O80"], INPATIENT),
    procedure("76805", 150.0, ONE_UNIT, who(FemaleOnly, 14, 50), &["Z34.00"], OFFICE_OR_OUTPATIENT),
    ProcedureSpec {
        code: "J1050",
        price: 0.6,
        units: &[(150.0, 1.0)],
        who: who(FemaleOnly, 14, 55),
        diagnoses: &["Z30.42"],
        places: OFFICE,
        days_supply: 90.0,
    },
    // Laboratory: venipuncture, panels and single tests.
    procedure("36415", 3.0, &[(1.0, 0.8), (2.0, 0.15), (3.0, 0.05)], ANYONE, &[], LAB_SITES),
    procedure("80053", 11.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("80061", 14.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("85025", 8.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("83036", 10.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("84443", 18.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("82947", 4.0, &[(1.0, 0.8), (2.0, 0.15), (3.0, 0.05)], ANYONE, &[], LAB_SITES),
    procedure("84132", 5.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("82565", 5.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("84520", 4.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("82465", 5.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("83718", 8.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("84478", 6.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    procedure("83721", 9.0, ONE_UNIT, ANYONE, &[], LAB_SITES),
    // Vaccines and their administration.
    procedure("90471", 25.0, &[(1.0, 0.7), (2.0, 0.22), (3.0, 0.08)], ANYONE, &["Z23"], OFFICE),
    procedure("90700", 30.0, ONE_UNIT, who(Any, 0, 6), &["Z23"], OFFICE),
    procedure("90707", 75.0, ONE_UNIT, who(Any, 1, 18), &["Z23"], OFFICE),
    procedure("90686", 20.0, ONE_UNIT, who(Any, 3, 120), &["Z23"], OFFICE),
    procedure("90732", 110.0, ONE_UNIT, who(Any, 50, 120), &["Z23"], OFFICE),
    // Injections and injected drugs (billed per dose unit).
    procedure("96372", 18.0, &[(1.0, 0.85), (2.0, 0.15)], ANYONE, &[], INJECTION_SITES),
    drug("J1885", 2.4, &[(1.0, 0.25), (2.0, 0.6), (4.0, 0.15)], who(Any, 17, 120), 1.0),
    drug("J3301", 2.1, &[(1.0, 0.1), (2.0, 0.2), (4.0, 0.4), (8.0, 0.3)], who(Any, 12, 120), 1.0),
    drug("J1100", 0.3, &[(1.0, 0.1), (4.0, 0.3), (8.0, 0.25), (10.0, 0.35)], ANYONE, 1.0),
    // Physical therapy (timed codes, 15-minute units).
    procedure("97110", 30.0, &[(1.0, 0.15), (2.0, 0.35), (3.0, 0.35), (4.0, 0.15)], ANYONE, &[], THERAPY_SITES),
    procedure("97140", 28.0, &[(1.0, 0.4), (2.0, 0.45), (3.0, 0.15)], ANYONE, &[], THERAPY_SITES),
    procedure("97530", 34.0, &[(1.0, 0.3), (2.0, 0.45), (3.0, 0.25)], ANYONE, &[], THERAPY_SITES),
    procedure("97161", 100.0, ONE_UNIT, ANYONE, &[], THERAPY_SITES),
    // Orthopedics.
    procedure("20610", 65.0, ONE_UNIT, ADULTS, &["M17.11", "M25.561"], OFFICE),
    procedure("29881", 560.0, ONE_UNIT, who(Any, 14, 120), &["S83.241A"], SURGERY_SITES),
    procedure("73560", 38.0, ONE_UNIT, ANYONE, &["M25.561", "M17.11", "S83.241A"], IMAGING_SITES),
    // Cardiology.
    procedure("93000", 17.0, ONE_UNIT, who(Any, 12, 120), &[], OFFICE),
    procedure("93306", 210.0, ONE_UNIT, ADULTS, &[], OFFICE_OR_OUTPATIENT),
    // Imaging.
    procedure("71046", 32.0, ONE_UNIT, ANYONE, &[], IMAGING_SITES),
    procedure("72148", 230.0, ONE_UNIT, who(Any, 12, 120), &["M54.50"], IMAGING_SITES),
    procedure("70450", 115.0, ONE_UNIT, ANYONE, &["R51.9"], IMAGING_SITES),
];

/// Places of service, and the share of each billed on an institutional claim.
pub(super) const PLACES: [(&str, f64); 6] =
    [("11", 0.0), ("21", 0.9), ("22", 0.7), ("23", 0.6), ("24", 0.5), ("81", 0.0)];

/// The billing types, in code order (professional, institutional).
pub(super) const BILLING_TYPES: [&str; 2] = ["professional", "institutional"];

pub(super) const ESTABLISHED_LEVELS: [&str; 4] = ["99212", "99213", "99214", "99215"];
pub(super) const NEW_PATIENT_LEVELS: [&str; 4] = ["99202", "99203", "99204", "99205"];
pub(super) const EMERGENCY_LEVELS: [&str; 3] = ["99283", "99284", "99285"];

/// Office E/M level mix (lowest to highest) by the diagnosis' acuity.
pub(super) fn office_level_weights(acuity: Acuity) -> [f64; 4] {
    match acuity {
        Minor => [0.15, 0.48, 0.27, 0.1],
        Chronic => [0.03, 0.27, 0.43, 0.27],
        Serious => [0.02, 0.12, 0.38, 0.48],
        Routine => [0.08, 0.45, 0.35, 0.12],
    }
}

/// Emergency E/M level mix by acuity.
pub(super) fn emergency_level_weights(acuity: Acuity) -> [f64; 3] {
    match acuity {
        Minor => [0.6, 0.35, 0.05],
        Chronic => [0.3, 0.5, 0.2],
        Serious => [0.1, 0.45, 0.45],
        Routine => [0.7, 0.3, 0.0],
    }
}

/// Panels and the component codes an unbundler bills instead.
pub(super) const PANELS: [(&str, [&str; MAX_UNBUNDLED_COMPONENTS]); 2] =
    [("80053", ["82947", "84132", "82565", "84520"]), ("80061", ["82465", "83718", "84478", "83721"])];

/// Female-only codes planted on men (then weighted by their normal volume).
pub(super) const FEMALE_ONLY_PLANTS: [&str; 5] = ["G0101", "77067", "J1050", "76805", "59400"];
/// Male-only codes planted on women.
pub(super) const MALE_ONLY_PLANTS: [&str; 2] = ["84153", "55700"];
/// Pediatric vaccines planted on elderly members.
pub(super) const PEDIATRIC_VACCINE_PLANTS: [&str; 2] = ["90700", "90707"];
/// Age-banded preventive visits planted on members far outside the band.
pub(super) const AGE_BAND_PLANTS: [&str; 7] = ["99391", "99392", "99393", "99394", "99395", "99396", "99397"];

// ---------------------------------------------------------------------------------------
// Specialties and their visits.

/// Where a specialty works; it sets the place of service and the opening days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Setting {
    Office,
    Therapy,
    Emergency,
    Laboratory,
    Imaging,
}

/// How a visit line picks its procedure.
pub(super) enum Choice {
    /// An established-patient office E/M, levelled by the diagnosis.
    Established,
    /// A new-patient office E/M, levelled by the diagnosis.
    NewPatient,
    /// An emergency E/M, levelled by the diagnosis.
    EmergencyVisit,
    /// One of these codes, by weight, among those that fit the member.
    Pick(&'static [(&'static str, f64)]),
}

pub(super) struct LineSpec {
    /// Chance the line is billed; 1.0 makes it required.
    pub(super) chance: f64,
    /// Billed only if the line before it was.
    pub(super) after_previous: bool,
    pub(super) choice: Choice,
}

pub(super) const fn line(chance: f64, choice: Choice) -> LineSpec {
    LineSpec { chance, after_previous: false, choice }
}

pub(super) const fn then(chance: f64, choice: Choice) -> LineSpec {
    LineSpec { chance, after_previous: true, choice }
}

pub(super) const fn code(codes: &'static [(&'static str, f64)]) -> Choice {
    Choice::Pick(codes)
}

pub(super) struct VisitSpec {
    pub(super) weight: f64,
    pub(super) diagnoses: &'static [&'static str],
    pub(super) lines: &'static [LineSpec],
    /// Happens on any day of the week (deliveries, emergencies).
    pub(super) any_day: bool,
}

pub(super) const fn visit(weight: f64, diagnoses: &'static [&'static str], lines: &'static [LineSpec]) -> VisitSpec {
    VisitSpec { weight, diagnoses, lines, any_day: false }
}

pub(super) struct SpecialtySpec {
    /// Share of providers with this specialty.
    pub(super) provider_share: f64,
    /// Volume multiplier of its providers (labs and emergency rooms are busy).
    pub(super) volume_boost: f64,
    pub(super) setting: Setting,
    /// Bills office E/M codes (eligible for upcoding).
    pub(super) bills_office_visits: bool,
    pub(super) visits: &'static [VisitSpec],
}

/// The provider specialties (internal: the procedure mix, not a column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Specialty {
    Family,
    Internal,
    Pediatrics,
    ObGyn,
    Urology,
    Orthopedics,
    PhysicalTherapy,
    Cardiology,
    Emergency,
    Laboratory,
    Radiology,
}

pub(super) const N_SPECIALTIES: usize = 11;

impl Specialty {
    pub(super) const ALL: [Specialty; N_SPECIALTIES] = [
        Specialty::Family,
        Specialty::Internal,
        Specialty::Pediatrics,
        Specialty::ObGyn,
        Specialty::Urology,
        Specialty::Orthopedics,
        Specialty::PhysicalTherapy,
        Specialty::Cardiology,
        Specialty::Emergency,
        Specialty::Laboratory,
        Specialty::Radiology,
    ];

    /// Family or internal medicine: the adult primary care offices.
    pub(super) fn is_adult_primary_care(self) -> bool {
        matches!(self, Specialty::Family | Specialty::Internal)
    }

    pub(super) fn spec(self) -> &'static SpecialtySpec {
        &SPECIALTIES[self as usize]
    }
}

pub(super) const SICK_DX: &[&str] = &[
    "I10", "E11.9", "E78.5", "J06.9", "M54.50", "F41.1", "E03.9", "N39.0", "R51.9", "J45.909", "R07.9", "M25.561",
    "J18.9", "R10.9", "H66.90",
];
pub(super) const CHRONIC_DX: &[&str] =
    &["I10", "E11.9", "E78.5", "E03.9", "F41.1", "J45.909", "R07.9", "I48.91", "R53.83", "N39.0", "J06.9"];
pub(super) const PEDIATRIC_DX: &[&str] = &["J06.9", "H66.90", "J45.909", "R51.9", "R10.9", "S93.401A"];
pub(super) const LAB_DX: &[&str] = &["E11.9", "E78.5", "I10", "Z00.00", "E03.9", "N39.0", "R53.83"];
pub(super) const MUSCULOSKELETAL_DX: &[&str] = &["M54.50", "M25.561", "M17.11", "S93.401A", "S83.241A"];
pub(super) const CARDIAC_DX: &[&str] = &["I10", "I48.91", "R07.9", "E78.5"];
pub(super) const EMERGENCY_DX: &[&str] = &["J06.9", "R07.9", "R10.9", "J18.9", "S93.401A", "R51.9", "N39.0", "J45.909"];
pub(super) const UROLOGY_DX: &[&str] = &["N40.1", "R97.20", "N39.0"];
pub(super) const WELL_VISIT_DX: &[&str] = &["Z00.00", "Z00.129"];
pub(super) const GYN_EXAM_DX: &[&str] = &["Z01.419", "Z12.4"];

pub(super) const LAB_TESTS: &[(&str, f64)] = &[
    ("80053", 0.2),
    ("80061", 0.17),
    ("85025", 0.17),
    ("83036", 0.09),
    ("84443", 0.05),
    ("82947", 0.07),
    ("84132", 0.06),
    ("82565", 0.06),
    ("84520", 0.035),
    ("82465", 0.035),
    ("83718", 0.03),
    ("84478", 0.035),
    ("83721", 0.03),
];
pub(super) const EMERGENCY_LABS: &[(&str, f64)] =
    &[("85025", 0.42), ("80053", 0.38), ("82947", 0.06), ("84132", 0.06), ("82565", 0.04), ("83036", 0.04)];
pub(super) const VACCINES: &[(&str, f64)] = &[("90686", 0.55), ("90700", 0.15), ("90707", 0.15), ("90732", 0.15)];
pub(super) const PREVENTIVE_VISITS: &[(&str, f64)] =
    &[("99391", 1.0), ("99392", 1.0), ("99393", 1.0), ("99394", 1.0), ("99395", 1.0), ("99396", 1.0), ("99397", 1.0)];
/// Single tests ordered to monitor one value (kidney function, glucose, lipids).
pub(super) const MONITORING_TESTS: &[(&str, f64)] = &[
    ("82947", 0.2),
    ("84132", 0.15),
    ("82565", 0.2),
    ("84520", 0.1),
    ("82465", 0.1),
    ("83718", 0.08),
    ("84478", 0.1),
    ("83721", 0.07),
];
pub(super) const PEDIATRIC_VACCINES: &[(&str, f64)] = &[("90700", 0.35), ("90707", 0.35), ("90686", 0.3)];
pub(super) const INJECTED_DRUGS: &[(&str, f64)] = &[("J1885", 0.4), ("J3301", 0.3), ("J1100", 0.3)];

pub(super) const VENIPUNCTURE: &[(&str, f64)] = &[("36415", 1.0)];
pub(super) const INJECTION: &[(&str, f64)] = &[("96372", 1.0)];
pub(super) const VACCINE_ADMIN: &[(&str, f64)] = &[("90471", 1.0)];

pub(super) const ADULT_PRIMARY_VISITS: [VisitSpec; 9] = [
    visit(
        0.5,
        SICK_DX,
        &[
            line(1.0, Choice::Established),
            line(0.25, code(VENIPUNCTURE)),
            then(1.0, code(LAB_TESTS)),
            then(0.35, code(LAB_TESTS)),
        ],
    ),
    visit(0.07, SICK_DX, &[line(1.0, Choice::NewPatient), line(0.3, code(VENIPUNCTURE)), then(1.0, code(LAB_TESTS))]),
    visit(
        0.11,
        WELL_VISIT_DX,
        &[
            line(1.0, code(PREVENTIVE_VISITS)),
            line(0.5, code(VENIPUNCTURE)),
            then(1.0, code(LAB_TESTS)),
            then(0.5, code(LAB_TESTS)),
        ],
    ),
    visit(0.1, &["Z23"], &[line(1.0, code(VACCINE_ADMIN)), then(1.0, code(VACCINES)), then(0.15, code(VACCINES))]),
    visit(
        0.07,
        &["M54.50", "M25.561", "J45.909", "R51.9"],
        &[line(1.0, Choice::Established), line(1.0, code(INJECTION)), then(1.0, code(INJECTED_DRUGS))],
    ),
    visit(0.05, CARDIAC_DX, &[line(1.0, Choice::Established), line(1.0, code(&[("93000", 1.0)]))]),
    visit(0.06, GYN_EXAM_DX, &[line(1.0, code(&[("G0101", 1.0)])), line(0.3, Choice::Established)]),
    visit(0.05, &["Z12.5"], &[line(1.0, code(VENIPUNCTURE)), line(1.0, code(&[("84153", 1.0)]))]),
    visit(0.02, &["Z30.42"], &[line(1.0, code(INJECTION)), line(1.0, code(&[("J1050", 1.0)]))]),
];

pub(super) const INTERNAL_VISITS: [VisitSpec; 9] = [
    visit(
        0.12,
        CHRONIC_DX,
        &[
            line(1.0, Choice::Established),
            line(1.0, code(VENIPUNCTURE)),
            then(1.0, code(MONITORING_TESTS)),
            then(0.5, code(MONITORING_TESTS)),
        ],
    ),
    visit(
        0.45,
        CHRONIC_DX,
        &[
            line(1.0, Choice::Established),
            line(0.35, code(VENIPUNCTURE)),
            then(1.0, code(LAB_TESTS)),
            then(0.4, code(LAB_TESTS)),
        ],
    ),
    visit(
        0.08,
        CHRONIC_DX,
        &[line(1.0, Choice::NewPatient), line(0.4, code(VENIPUNCTURE)), then(1.0, code(LAB_TESTS))],
    ),
    visit(
        0.12,
        &["Z00.00"],
        &[
            line(1.0, code(PREVENTIVE_VISITS)),
            line(0.6, code(VENIPUNCTURE)),
            then(1.0, code(LAB_TESTS)),
            then(0.6, code(LAB_TESTS)),
        ],
    ),
    visit(0.08, &["Z23"], &[line(1.0, code(VACCINE_ADMIN)), then(1.0, code(VACCINES))]),
    visit(0.07, CARDIAC_DX, &[line(1.0, Choice::Established), line(1.0, code(&[("93000", 1.0)]))]),
    visit(
        0.05,
        &["M54.50", "J45.909", "R51.9"],
        &[line(1.0, Choice::Established), line(1.0, code(INJECTION)), then(1.0, code(INJECTED_DRUGS))],
    ),
    visit(0.06, &["Z12.5"], &[line(1.0, code(VENIPUNCTURE)), line(1.0, code(&[("84153", 1.0)]))]),
    visit(0.03, GYN_EXAM_DX, &[line(1.0, code(&[("G0101", 1.0)])), line(0.3, Choice::Established)]),
];

pub(super) const PEDIATRIC_VISITS: [VisitSpec; 5] = [
    visit(0.5, PEDIATRIC_DX, &[line(1.0, Choice::Established)]),
    visit(0.05, PEDIATRIC_DX, &[line(1.0, Choice::NewPatient)]),
    visit(
        0.24,
        &["Z00.129"],
        &[
            line(1.0, code(PREVENTIVE_VISITS)),
            line(0.6, code(VACCINE_ADMIN)),
            then(1.0, code(PEDIATRIC_VACCINES)),
            then(0.4, code(PEDIATRIC_VACCINES)),
        ],
    ),
    visit(
        0.2,
        &["Z23"],
        &[line(1.0, code(VACCINE_ADMIN)), then(1.0, code(PEDIATRIC_VACCINES)), then(0.3, code(PEDIATRIC_VACCINES))],
    ),
    visit(
        0.05,
        &["J45.909"],
        &[line(1.0, Choice::Established), line(0.5, code(INJECTION)), then(1.0, code(&[("J1100", 1.0)]))],
    ),
];

pub(super) const OBGYN_VISITS: [VisitSpec; 7] = [
    visit(0.3, GYN_EXAM_DX, &[line(1.0, code(&[("G0101", 1.0)])), line(0.5, Choice::Established)]),
    visit(0.2, &["N39.0", "Z01.419", "R10.9"], &[line(1.0, Choice::Established)]),
    visit(0.18, &["Z34.00"], &[line(1.0, code(&[("76805", 1.0)])), line(0.4, Choice::Established)]),
    visit(0.1, &["Z30.42"], &[line(1.0, code(INJECTION)), line(1.0, code(&[("J1050", 1.0)]))]),
    VisitSpec { weight: 0.06, diagnoses: &["O80"], lines: &[line(1.0, code(&[("59400", 1.0)]))], any_day: true },
    visit(
        0.06,
        &["Z34.00"],
        &[line(1.0, Choice::NewPatient), line(0.5, code(VENIPUNCTURE)), then(1.0, code(&[("85025", 1.0)]))],
    ),
    visit(
        0.1,
        &["Z01.419"],
        &[line(1.0, Choice::Established), line(0.3, code(VENIPUNCTURE)), then(1.0, code(LAB_TESTS))],
    ),
];

pub(super) const UROLOGY_VISITS: [VisitSpec; 4] = [
    visit(0.5, UROLOGY_DX, &[line(1.0, Choice::Established)]),
    visit(0.12, UROLOGY_DX, &[line(1.0, Choice::NewPatient)]),
    visit(
        0.3,
        &["Z12.5", "R97.20", "N40.1"],
        &[line(1.0, code(VENIPUNCTURE)), line(1.0, code(&[("84153", 1.0)])), line(0.4, Choice::Established)],
    ),
    visit(0.08, &["R97.20"], &[line(1.0, code(&[("55700", 1.0)]))]),
];

pub(super) const ORTHOPEDIC_VISITS: [VisitSpec; 4] = [
    visit(0.5, MUSCULOSKELETAL_DX, &[line(1.0, Choice::Established), line(0.25, code(&[("73560", 1.0)]))]),
    visit(0.17, MUSCULOSKELETAL_DX, &[line(1.0, Choice::NewPatient), line(0.4, code(&[("73560", 1.0)]))]),
    visit(
        0.27,
        &["M17.11", "M25.561"],
        &[line(1.0, code(&[("20610", 1.0)])), line(0.8, code(&[("J3301", 1.0)])), line(0.3, Choice::Established)],
    ),
    visit(0.06, &["S83.241A"], &[line(1.0, code(&[("29881", 1.0)]))]),
];

pub(super) const THERAPY_VISITS: [VisitSpec; 2] = [
    visit(0.12, MUSCULOSKELETAL_DX, &[line(1.0, code(&[("97161", 1.0)])), line(0.5, code(&[("97110", 1.0)]))]),
    visit(
        0.88,
        MUSCULOSKELETAL_DX,
        &[line(1.0, code(&[("97110", 1.0)])), line(0.55, code(&[("97140", 1.0)])), line(0.45, code(&[("97530", 1.0)]))],
    ),
];

pub(super) const CARDIOLOGY_VISITS: [VisitSpec; 4] = [
    visit(0.5, CARDIAC_DX, &[line(1.0, Choice::Established), line(0.5, code(&[("93000", 1.0)]))]),
    visit(0.12, CARDIAC_DX, &[line(1.0, Choice::NewPatient), line(0.7, code(&[("93000", 1.0)]))]),
    visit(0.2, CARDIAC_DX, &[line(1.0, code(&[("93306", 1.0)]))]),
    visit(
        0.18,
        &["E78.5", "I10"],
        &[line(1.0, code(VENIPUNCTURE)), line(1.0, code(&[("80061", 1.0)])), line(0.3, Choice::Established)],
    ),
];

pub(super) const EMERGENCY_VISITS: [VisitSpec; 1] = [VisitSpec {
    weight: 1.0,
    diagnoses: EMERGENCY_DX,
    lines: &[
        line(1.0, Choice::EmergencyVisit),
        line(0.3, code(&[("71046", 1.0)])),
        line(0.35, code(VENIPUNCTURE)),
        then(1.0, code(EMERGENCY_LABS)),
        then(0.5, code(EMERGENCY_LABS)),
        line(0.15, code(INJECTION)),
        then(1.0, code(INJECTED_DRUGS)),
        line(0.15, code(&[("93000", 1.0)])),
        line(0.07, code(&[("70450", 1.0)])),
    ],
    any_day: true,
}];

pub(super) const LABORATORY_VISITS: [VisitSpec; 4] = [
    visit(
        0.7,
        LAB_DX,
        &[
            line(1.0, code(VENIPUNCTURE)),
            then(1.0, code(LAB_TESTS)),
            then(0.55, code(LAB_TESTS)),
            then(0.3, code(LAB_TESTS)),
        ],
    ),
    visit(0.18, &["Z12.5", "N40.1"], &[line(1.0, code(VENIPUNCTURE)), line(1.0, code(&[("84153", 1.0)]))]),
    visit(0.05, LAB_DX, &[line(1.0, code(LAB_TESTS))]),
    visit(
        0.3,
        LAB_DX,
        &[line(1.0, code(VENIPUNCTURE)), then(1.0, code(MONITORING_TESTS)), then(0.5, code(MONITORING_TESTS))],
    ),
];

pub(super) const RADIOLOGY_VISITS: [VisitSpec; 5] = [
    visit(0.3, &["J18.9", "R07.9", "J06.9"], &[line(1.0, code(&[("71046", 1.0)]))]),
    visit(0.2, &["M25.561", "M17.11", "S83.241A"], &[line(1.0, code(&[("73560", 1.0)]))]),
    visit(0.45, &["Z12.31"], &[line(1.0, code(&[("77067", 1.0)]))]),
    visit(0.15, &["M54.50"], &[line(1.0, code(&[("72148", 1.0)]))]),
    visit(0.1, &["R51.9"], &[line(1.0, code(&[("70450", 1.0)]))]),
];

pub(super) const fn specialty(
    provider_share: f64,
    volume_boost: f64,
    setting: Setting,
    bills_office_visits: bool,
    visits: &'static [VisitSpec],
) -> SpecialtySpec {
    SpecialtySpec { provider_share, volume_boost, setting, bills_office_visits, visits }
}

/// Indexed by `Specialty as usize`.
pub(super) const SPECIALTIES: [SpecialtySpec; N_SPECIALTIES] = [
    specialty(0.20, 1.0, Setting::Office, true, &ADULT_PRIMARY_VISITS),
    specialty(0.14, 1.0, Setting::Office, true, &INTERNAL_VISITS),
    specialty(0.08, 1.0, Setting::Office, true, &PEDIATRIC_VISITS),
    specialty(0.07, 1.0, Setting::Office, true, &OBGYN_VISITS),
    specialty(0.03, 1.0, Setting::Office, true, &UROLOGY_VISITS),
    specialty(0.06, 1.0, Setting::Office, true, &ORTHOPEDIC_VISITS),
    specialty(0.08, 1.2, Setting::Therapy, false, &THERAPY_VISITS),
    specialty(0.05, 1.0, Setting::Office, true, &CARDIOLOGY_VISITS),
    specialty(0.07, 2.0, Setting::Emergency, false, &EMERGENCY_VISITS),
    specialty(0.08, 3.0, Setting::Laboratory, false, &LABORATORY_VISITS),
    specialty(0.06, 1.5, Setting::Imaging, false, &RADIOLOGY_VISITS),
];

/// Relative weights of the specialists a member sees besides their primary care provider.
pub(super) fn referral_weights(member: &Member) -> [f64; N_SPECIALTIES] {
    use Specialty as S;
    let mut weights = [0.0; N_SPECIALTIES];
    let mut set = |s: Specialty, weight: f64| weights[s as usize] = weight;
    if member.age < 18 {
        set(S::Pediatrics, 0.15);
        set(S::Family, 0.08);
        set(S::Emergency, 0.2);
        set(S::Laboratory, 0.2);
        set(S::Radiology, 0.1);
        set(S::Orthopedics, 0.1);
        set(S::PhysicalTherapy, 0.05);
        set(S::Cardiology, 0.01);
        set(S::ObGyn, if member.female && member.age >= 14 { 0.04 } else { 0.0 });
    } else {
        set(S::Family, 0.05);
        set(S::Internal, 0.05);
        let gynecology = if member.age < 60 { 0.12 } else { 0.04 };
        set(S::ObGyn, if member.female { gynecology } else { 0.0 });
        let urology = if member.age >= 50 { 0.08 } else { 0.02 };
        set(S::Urology, if member.female { 0.01 } else { urology });
        set(S::Orthopedics, 0.08);
        set(S::PhysicalTherapy, 0.09);
        set(S::Cardiology, if member.age >= 50 { 0.09 } else { 0.02 });
        set(S::Emergency, 0.08);
        set(S::Laboratory, 0.25);
        set(S::Radiology, 0.12);
    }
    weights
}

/// The primary care specialty a member is assigned.
pub(super) fn primary_care_specialty(rng: &mut SeededRng, member_age: u8) -> Specialty {
    match member_age {
        0..=17 if rng.chance(CHILD_PEDIATRICIAN_SHARE) => Specialty::Pediatrics,
        0..=17 => Specialty::Family,
        18..=64 if rng.chance(ADULT_FAMILY_MEDICINE_SHARE) => Specialty::Family,
        65.. if rng.chance(SENIOR_FAMILY_MEDICINE_SHARE) => Specialty::Family,
        _ => Specialty::Internal,
    }
}

// ---------------------------------------------------------------------------------------
// The catalog resolved to indices once per run.

pub(super) struct Procedure {
    pub(super) spec: &'static ProcedureSpec,
    pub(super) mean_units: f64,
    pub(super) max_units: f64,
    /// Normal units already vary (eligible for excessive units).
    pub(super) units_vary: bool,
    pub(super) diagnoses: Vec<(u16, f64)>,
    pub(super) places: Vec<(u8, f64)>,
}

pub(super) enum ResolvedChoice {
    Established,
    NewPatient,
    EmergencyVisit,
    Pick(Vec<(u16, f64)>),
}

pub(super) struct Line {
    pub(super) chance: f64,
    pub(super) after_previous: bool,
    pub(super) choice: ResolvedChoice,
}

pub(super) struct Visit {
    pub(super) weight: f64,
    pub(super) diagnoses: Vec<(u16, f64)>,
    pub(super) lines: Vec<Line>,
    pub(super) any_day: bool,
}

/// Random probes per wanted line before a line picker falls back to a full scan.
pub(super) const RANDOM_PROBES_PER_LINE: usize = 64;
/// Extra random probes of a line picker, whatever the count.
pub(super) const RANDOM_PROBES_EXTRA: usize = 1024;

/// Most lines one visit can bill (the longest visit spec).
pub(super) const MAX_VISIT_LINES: usize = 12;

pub(super) struct Catalog {
    pub(super) procedures: Vec<Procedure>,
    pub(super) visits: Vec<Vec<Visit>>,
    /// (visit index, weight) per specialty, for weighted choice.
    pub(super) visit_weights: Vec<Vec<(usize, f64)>>,
    pub(super) established: [u16; 4],
    pub(super) new_patient: [u16; 4],
    pub(super) emergency: [u16; 3],
    pub(super) panels: Vec<(u16, Vec<u16>)>,
    pub(super) female_only_plants: Vec<u16>,
    pub(super) male_only_plants: Vec<u16>,
    pub(super) pediatric_vaccine_plants: Vec<u16>,
    pub(super) age_band_plants: Vec<u16>,
    pub(super) fallback_diagnoses: Vec<(u16, f64)>,
}

pub(super) fn procedure_index(code: &str) -> Option<u16> {
    PROCEDURES.iter().position(|p| p.code == code).map(|i| i as u16)
}

pub(super) fn diagnosis_index(code: &str) -> Option<u16> {
    DIAGNOSES.iter().position(|d| d.code == code).map(|i| i as u16)
}

pub(super) fn place_index(code: &str) -> Option<u8> {
    PLACES.iter().position(|(p, _)| *p == code).map(|i| i as u8)
}

pub(super) fn resolve_codes(codes: &[(&str, f64)]) -> Vec<(u16, f64)> {
    codes.iter().filter_map(|&(code, weight)| procedure_index(code).map(|idx| (idx, weight))).collect()
}

pub(super) fn resolve_diagnoses(codes: &[&str]) -> Vec<(u16, f64)> {
    codes.iter().filter_map(|&code| diagnosis_index(code).map(|idx| (idx, 1.0))).collect()
}

pub(super) fn resolve_levels<const N: usize>(codes: [&str; N]) -> [u16; N] {
    codes.map(|code| procedure_index(code).unwrap_or_default())
}

impl Catalog {
    pub(super) fn new() -> Self {
        let procedures = PROCEDURES
            .iter()
            .map(|spec| {
                let total: f64 = spec.units.iter().map(|&(_, w)| w).sum();
                let mean_units = spec.units.iter().map(|&(u, w)| u * w).sum::<f64>() / total.max(f64::MIN_POSITIVE);
                let max_units = spec.units.iter().map(|&(u, _)| u).fold(1.0, f64::max);
                let min_units = spec.units.iter().map(|&(u, _)| u).fold(max_units, f64::min);
                Procedure {
                    spec,
                    mean_units,
                    max_units,
                    units_vary: max_units > min_units && max_units >= VARYING_UNITS_MIN_MAX,
                    diagnoses: resolve_diagnoses(spec.diagnoses),
                    places: spec.places.iter().filter_map(|&(p, w)| place_index(p).map(|i| (i, w))).collect(),
                }
            })
            .collect();
        let visits: Vec<Vec<Visit>> =
            SPECIALTIES.iter().map(|s| s.visits.iter().map(resolve_visit).collect()).collect();
        let visit_weights =
            visits.iter().map(|list| list.iter().enumerate().map(|(i, v)| (i, v.weight)).collect()).collect();
        let panels = PANELS
            .iter()
            .filter_map(|(panel, parts)| {
                Some((procedure_index(panel)?, parts.iter().filter_map(|c| procedure_index(c)).collect()))
            })
            .collect();
        Self {
            procedures,
            visits,
            visit_weights,
            established: resolve_levels(ESTABLISHED_LEVELS),
            new_patient: resolve_levels(NEW_PATIENT_LEVELS),
            emergency: resolve_levels(EMERGENCY_LEVELS),
            panels,
            female_only_plants: FEMALE_ONLY_PLANTS.iter().filter_map(|c| procedure_index(c)).collect(),
            male_only_plants: MALE_ONLY_PLANTS.iter().filter_map(|c| procedure_index(c)).collect(),
            pediatric_vaccine_plants: PEDIATRIC_VACCINE_PLANTS.iter().filter_map(|c| procedure_index(c)).collect(),
            age_band_plants: AGE_BAND_PLANTS.iter().filter_map(|c| procedure_index(c)).collect(),
            fallback_diagnoses: resolve_diagnoses(&["J06.9"]),
        }
    }

    pub(super) fn procedure(&self, idx: u16) -> Option<&Procedure> {
        self.procedures.get(idx as usize)
    }

    pub(super) fn is_panel(&self, idx: u16) -> bool {
        self.panels.iter().any(|(panel, _)| *panel == idx)
    }

    /// Whether adding `procedure` to `planned` would bill as many components of one panel
    /// as an unbundler does (normal visits never do).
    pub(super) fn completes_a_panel(&self, planned: &[u16], procedure: u16) -> bool {
        self.panels.iter().any(|(_, parts)| {
            parts.contains(&procedure)
                && planned.iter().filter(|p| parts.contains(p)).count() + 1 >= MIN_UNBUNDLED_COMPONENTS
        })
    }

    /// The top-level E/M code an upcoder bills instead of `idx`, if `idx` is a lower office level.
    pub(super) fn upcoded(&self, idx: u16) -> Option<u16> {
        for levels in [&self.established, &self.new_patient] {
            let (top, lower) = levels.split_last()?;
            if lower.contains(&idx) {
                return Some(*top);
            }
        }
        None
    }

    pub(super) fn visits_of(&self, specialty: Specialty) -> &[Visit] {
        self.visits.get(specialty as usize).map_or(&[], Vec::as_slice)
    }
}

pub(super) fn resolve_visit(spec: &VisitSpec) -> Visit {
    let lines = spec
        .lines
        .iter()
        .map(|l| Line {
            chance: l.chance,
            after_previous: l.after_previous,
            choice: match l.choice {
                Choice::Established => ResolvedChoice::Established,
                Choice::NewPatient => ResolvedChoice::NewPatient,
                Choice::EmergencyVisit => ResolvedChoice::EmergencyVisit,
                Choice::Pick(codes) => ResolvedChoice::Pick(resolve_codes(codes)),
            },
        })
        .collect();
    Visit { weight: spec.weight, diagnoses: resolve_diagnoses(spec.diagnoses), lines, any_day: spec.any_day }
}

pub(super) fn diagnosis_acuity(idx: u16) -> Acuity {
    DIAGNOSES.get(idx as usize).map_or(Minor, |d| d.acuity)
}

pub(super) fn diagnosis_fits(idx: u16, member: &Member) -> bool {
    DIAGNOSES.get(idx as usize).is_some_and(|d| d.who.allows(member))
}

/// Picks by weight among the options `keep` accepts, without allocating.
pub(super) fn pick_where<T: Copy>(rng: &mut SeededRng, options: &[(T, f64)], keep: impl Fn(T) -> bool) -> Option<T> {
    let total: f64 = options.iter().filter(|&&(item, _)| keep(item)).map(|&(_, w)| w).sum();
    if total <= 0.0 {
        return None;
    }
    let mut remaining = rng.next_f64() * total;
    let mut last = None;
    for &(item, weight) in options.iter().filter(|&&(item, _)| keep(item)) {
        if remaining < weight {
            return Some(item);
        }
        remaining -= weight;
        last = Some(item);
    }
    last
}
