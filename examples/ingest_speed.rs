use claimforest::claims::ingest::{read_bytes, IngestOptions};
use std::time::Instant;
fn main() {
    let mut text = String::from("claim_id,member_id,provider_id,service_date,procedure_code,diagnosis_code,place_of_service,billing_type,allowed_amount,paid_amount,units,days_supply,member_age,member_gender,is_anomaly,anomaly_type\n");
    let mut i: u64 = 0;
    while text.len() < 100 * 1024 * 1024 {
        let x = i.wrapping_mul(0x9E3779B97F4A7C15);
        text.push_str(&format!(
            "M{:07},MB{:06},{:010},2025-{:02}-{:02},{},{},{},professional,{}.{:02},{}.{:02},{},,{},{},0,none\n",
            i,
            x % 90000,
            1000000000 + (x >> 20) % 5000,
            (x >> 8) % 12 + 1,
            (x >> 12) % 28 + 1,
            ["99213", "99214", "80053", "97110", "J1885"][(x >> 3) as usize % 5],
            ["E11.9", "I10", "M54.5"][(x >> 5) as usize % 3],
            ["11", "21", "22"][(x >> 7) as usize % 3],
            (x >> 9) % 900,
            (x >> 11) % 100,
            (x >> 13) % 700,
            (x >> 15) % 100,
            (x >> 17) % 4 + 1,
            (x >> 19) % 80 + 1,
            ["F", "M"][(x >> 21) as usize % 2]
        ));
        i += 1;
    }
    eprintln!("{} MB, {} rows", text.len() / 1024 / 1024, i);
    for _ in 0..3 {
        let t = Instant::now();
        let ingested = read_bytes(text.as_bytes(), "big.csv", &IngestOptions::default()).unwrap();
        eprintln!("{:?} {} rows", t.elapsed(), ingested.table.n_rows());
    }
}
