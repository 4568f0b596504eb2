//! Reference data and quotas: random streams, states, specialties, payers, reject codes, and how many fills each scheme gets.

pub(super) const STREAM_WORLD: u64 = 1;
pub(super) const STREAM_CLAIMS: u64 = 2;
pub(super) const STREAM_MEMBER_IDS: u64 = 3;

/// States with relative populations.
pub(super) const STATES: [(&str, f64); 15] = [
    ("CA", 39.0),
    ("TX", 30.0),
    ("FL", 22.0),
    ("NY", 19.6),
    ("PA", 13.0),
    ("IL", 12.5),
    ("OH", 11.8),
    ("GA", 11.0),
    ("NC", 10.8),
    ("MI", 10.0),
    ("NJ", 9.3),
    ("VA", 8.7),
    ("WA", 7.8),
    ("AZ", 7.4),
    ("MA", 7.0),
];

/// Prescriber specialties the program expects for the product, with their shares.
pub(super) const VALID_SPECIALTIES: [(&str, f64); 4] =
    [("Pulmonology", 0.38), ("Allergy/Immunology", 0.14), ("Internal Medicine", 0.26), ("Family Medicine", 0.22)];
/// Specialties the program deems suspicious for the product.
pub(super) const SUSPICIOUS_SPECIALTIES: [&str; 4] = ["Dermatology", "Orthopedics", "Podiatry", "Ophthalmology"];

/// Payer types, in code order.
pub(super) const PAYER_TYPES: [&str; 6] = ["Commercial", "Cash", "Medicare", "Medicaid", "Tricare", "VA"];
pub(super) const COMMERCIAL: u8 = 0;
pub(super) const CASH: u8 = 1;
pub(super) const MEDICARE: u8 = 2;
pub(super) const MEDICAID: u8 = 3;
pub(super) const TRICARE: u8 = 4;
pub(super) const VETERANS_AFFAIRS: u8 = 5;
/// Government payers (a program violation), with their shares among such patients.
pub(super) const GOVERNMENT_PAYERS: [(u8, f64); 4] =
    [(MEDICARE, 0.5), (MEDICAID, 0.2), (TRICARE, 0.12), (VETERANS_AFFAIRS, 0.18)];

/// NCPDP reject codes, in code order.
pub(super) const REJECT_CODES: [&str; 5] = ["70", "75", "76", "79", "88"];
/// Reject mix of normal transactions (product not covered, prior authorisation, plan
/// limits, refill too soon, DUR).
pub(super) const NORMAL_REJECT_MIX: [(u8, f64); 5] = [(0, 0.22), (1, 0.3), (2, 0.18), (3, 0.2), (4, 0.1)];
/// Reject mix of ring transactions: mostly the high-risk codes.
pub(super) const RING_REJECT_MIX: [(u8, f64); 4] = [(1, 0.1), (2, 0.4), (3, 0.2), (4, 0.3)];
/// The "refill too soon" reject.
pub(super) const REFILL_TOO_SOON: u8 = 3;

/// Which pattern a transaction belongs to; the discriminant indexes [`PHARMACY_ANOMALY_TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Scheme {
    None,
    EarlyRefill,
    OneAndDone,
    Ring,
    GovernmentInsured,
    CrossState,
    InactivePharmacy,
}

impl Scheme {
    pub(super) const PLANTED: [Scheme; 6] = [
        Scheme::EarlyRefill,
        Scheme::OneAndDone,
        Scheme::Ring,
        Scheme::GovernmentInsured,
        Scheme::CrossState,
        Scheme::InactivePharmacy,
    ];
}

/// Rows per scheme, in [`Scheme::PLANTED`] order (the remainder goes to the first ones).
pub(super) fn scheme_quotas(n_anomalous: usize) -> [usize; 6] {
    let n_schemes = Scheme::PLANTED.len();
    let mut quotas = [n_anomalous / n_schemes; 6];
    for slot in quotas.iter_mut().take(n_anomalous % n_schemes) {
        *slot += 1;
    }
    quotas
}

pub(super) fn quota_of(quotas: &[usize; 6], scheme: Scheme) -> usize {
    Scheme::PLANTED.iter().position(|&s| s == scheme).and_then(|i| quotas.get(i)).copied().unwrap_or(0)
}
