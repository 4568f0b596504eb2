//! Downloads: scored claims and review-queue CSV with optional HMAC-SHA-256 hashing of
//! member and provider identifiers under a salt ([`super::salt`]), and OWASP CSV-injection
//! neutralising of every cell.

use crate::claims::Levels;
use std::io::{self, BufWriter, Write};

use serde::{Deserialize, Serialize};

use super::salt::IdentifierHasher;
use super::tiers::TierCuts;
pub use crate::claims::csv_writer::csv_cell;
use crate::claims::csv_writer::push_csv_cell;
use crate::claims::rules::RuleOutcome;
use crate::claims::schema::{known_role, looks_like_identifier_name, ColumnRole};
use crate::claims::table::{format_number, format_significant, Column, ColumnsView};

/// Significant digits of the scores and priorities written to downloads: enough to rank
/// claims apart, without 16 digits of noise.
pub const SCORE_DIGITS: usize = 6;
use crate::claims::ColumnData;
use crate::ml::shap::ShapValues;
use crate::pipeline::ScoringModel;

/// How downloads treat identifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ExportOptions {
    /// When set, member, provider, prescriber and pharmacy identifier cells (the columns whose
    /// schema role is Entity, and columns the schema does not know whose name reads like an
    /// identifier, such as `policy_number`; claim and row identifiers are kept) are replaced by their
    /// HMAC-SHA-256 under this salt, 64 hex characters ([`super::salt`]). Missing cells stay
    /// empty.
    pub hash_salt: Option<String>,
}

/// The score columns appended to each exported claim.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ScoreColumns<'a> {
    /// Random-forest probability per claim (table order), if trained.
    pub probability: Option<&'a [f64]>,
    /// The probability threshold for the `prediction` column.
    pub decision_threshold: f64,
    /// How a positive prediction reads, as on screen ("Denied", "Fraud reported"); a negative
    /// one reads "Not denied". `None` writes 1 and 0.
    pub positive_word: Option<&'a str>,
    /// Isolation-forest anomaly score per claim, if trained.
    pub anomaly: Option<&'a [f64]>,
    /// The rule pack's outcome, if a pack ran.
    pub rules: Option<&'a RuleOutcome>,
    /// The priority the queue and tiers use.
    pub priority: &'a [f64],
    /// Tier cut points.
    pub cuts: TierCuts,
}

/// Writes each claim of `rows` (queue order) with its exact SHAP values under `model`:
/// `queue_rank`, `row` (1-based, as in the file), the claim identifier when the table has
/// one, `score`, `priority`, `base_value`, then `shap_<feature>` per model feature. Base
/// value plus a row's SHAP values is its model output (probability or expected path length).
pub fn write_explanations_csv(
    table: ColumnsView<'_>,
    model: &ScoringModel,
    rows: &[usize],
    scores: &[f64],
    priority: &[f64],
    shap: &ShapValues,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let identifier = table.columns().iter().find(|c| known_role(c.schema_name()) == Some(ColumnRole::Identifier));
    let mut line = String::with_capacity(256);
    let push = |line: &mut String, text: &str| {
        if !line.is_empty() {
            line.push(',');
        }
        push_csv_cell(line, text);
    };
    for name in ["queue_rank", "row"] {
        push(&mut line, name);
    }
    if let Some(column) = identifier {
        push(&mut line, &column.name);
    }
    for name in ["score", "priority", "base_value"] {
        push(&mut line, name);
    }
    for feature in model.feature_names() {
        push(&mut line, &format!("shap_{feature}"));
    }
    writeln!(out, "{line}")?;
    for (position, &row_idx) in rows.iter().enumerate() {
        line.clear();
        push(&mut line, &(position + 1).to_string());
        push(&mut line, &(row_idx + 1).to_string());
        if let Some(column) = identifier {
            push(&mut line, &column.data.display(row_idx));
        }
        push(&mut line, &format_number(score_at(scores, row_idx)));
        push(&mut line, &format_number(score_at(priority, row_idx)));
        push(&mut line, &format_number(shap.base_value));
        for &value in shap.row(position) {
            push(&mut line, &format_number(value));
        }
        writeln!(out, "{line}")?;
    }
    out.flush()
}

/// Writes the claims in `rows` order (every row when None) with their score columns:
/// the table's columns, then `probability`, `prediction`, `anomaly_score`, `rules_hit`
/// (the ids of the rules the claim trips, joined by `; `), `rule_severity` (the highest),
/// `rule_flag` (1 or 0), `priority`, `risk_tier`, `queue_rank` (1-based, only when `rows`
/// is given), as present.
///
/// `probability` and `prediction` (1 at or above the threshold, else 0) are present when
/// `scores.probability` is, `anomaly_score` when `scores.anomaly` is, `priority` and
/// `risk_tier` (the tier's slug) when `scores.priority` is not empty. A NaN or missing score
/// leaves its cells empty. Row indices past the table are skipped; `queue_rank` is the
/// position in `rows`. Every cell and header goes through [`csv_cell`]; lines end in `\n`.
pub fn write_scored_csv(
    table: ColumnsView<'_>,
    scores: &ScoreColumns<'_>,
    rows: Option<&[u32]>,
    options: &ExportOptions,
    out: &mut impl Write,
) -> io::Result<()> {
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut writer = RowWriter::new(table, scores, rows.is_some(), options);
    writer.write_header(&mut out)?;
    match rows {
        None => {
            for row_idx in 0..table.n_rows() {
                writer.write_row(&mut out, row_idx, None)?;
            }
        }
        Some(rows) => {
            for (position, &row_idx) in rows.iter().enumerate() {
                if (row_idx as usize) < table.n_rows() {
                    writer.write_row(&mut out, row_idx as usize, Some(position + 1))?;
                }
            }
        }
    }
    out.flush()
}

/// `name` as a safe file-name stem: ASCII letters, digits, `-` and `_` kept, anything
/// else `_`, at most 60 characters; "rules" if nothing is left.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' })
        .take(60)
        .collect();
    if stem.is_empty() {
        "rules".to_owned()
    } else {
        stem
    }
}

/// The role that decides hashing: the schema's, or Entity for a column the schema does not
/// know but whose name reads like an identifier (`policy_number`, `insured_zip`), so "hash
/// identifiers" covers every column treated as one. The claim's own identifier is kept.
fn identifier_role(column: &Column) -> Option<ColumnRole> {
    known_role(column.schema_name()).or_else(|| looks_like_identifier_name(&column.name).then_some(ColumnRole::Entity))
}

/// How one table column's cells are written.
enum CellSource<'a> {
    /// As the file wrote them ([`Column::cell_text`]).
    Plain(&'a Column),
    /// Hashed text levels, hashed once per level on first use.
    HashedLevels { levels: &'a Levels, codes: &'a [u32], hashed: Vec<Option<String>>, hasher: IdentifierHasher },
    /// Hashed display text (an identifier stored as numbers or dates).
    HashedDisplay { data: &'a ColumnData, hasher: IdentifierHasher },
}

/// Writes lines, reusing one line buffer.
struct RowWriter<'a> {
    table: ColumnsView<'a>,
    sources: Vec<CellSource<'a>>,
    scores: &'a ScoreColumns<'a>,
    with_rank: bool,
    line: String,
    n_cells: usize,
}

impl<'a> RowWriter<'a> {
    fn new(table: ColumnsView<'a>, scores: &'a ScoreColumns<'a>, with_rank: bool, options: &'a ExportOptions) -> Self {
        let hasher = options.hash_salt.as_deref().map(IdentifierHasher::new);
        let sources = table
            .columns()
            .iter()
            .map(|column| match (&hasher, identifier_role(column), &column.data) {
                (Some(hasher), Some(ColumnRole::Entity), ColumnData::Categorical { levels, codes }) => {
                    CellSource::HashedLevels { levels, codes, hashed: vec![None; levels.len()], hasher: hasher.clone() }
                }
                (Some(hasher), Some(ColumnRole::Entity), data) => {
                    CellSource::HashedDisplay { data, hasher: hasher.clone() }
                }
                _ => CellSource::Plain(column),
            })
            .collect();
        Self { table, sources, scores, with_rank, line: String::with_capacity(256), n_cells: 0 }
    }

    fn write_header(&mut self, out: &mut impl Write) -> io::Result<()> {
        self.line.clear();
        self.n_cells = 0;
        let table = self.table;
        for column in table.columns() {
            self.push_cell(&column.name);
        }
        // The claim's 1-based row, as the screen names it, so any download joins back.
        let taken = |name: &str| table.columns().iter().any(|column| column.name == name);
        self.push_cell(if taken("row") { "source_row" } else { "row" });
        if self.scores.probability.is_some() {
            self.push_cell("probability");
            self.push_cell("prediction");
        }
        if self.scores.anomaly.is_some() {
            self.push_cell("anomaly_score");
        }
        if self.scores.rules.is_some() {
            self.push_cell("rules_hit");
            self.push_cell("rule_severity");
            self.push_cell("rule_flag");
        }
        if !self.scores.priority.is_empty() {
            self.push_cell("priority");
            self.push_cell("risk_tier");
        }
        if self.with_rank {
            self.push_cell("queue_rank");
        }
        self.finish_line(out)
    }

    fn write_row(&mut self, out: &mut impl Write, row_idx: usize, rank: Option<usize>) -> io::Result<()> {
        self.line.clear();
        self.n_cells = 0;
        for source_idx in 0..self.sources.len() {
            let text = match self.sources.get_mut(source_idx) {
                Some(CellSource::Plain(column)) => column.cell_text(row_idx).into_owned(),
                Some(CellSource::HashedDisplay { data, hasher }) => {
                    let text = data.display(row_idx);
                    if text.is_empty() {
                        text
                    } else {
                        hasher.hash(&text)
                    }
                }
                Some(CellSource::HashedLevels { levels, codes, hashed, hasher }) => {
                    let code = codes.get(row_idx).map_or(usize::MAX, |&code| code as usize);
                    match (levels.get(code), hashed.get_mut(code)) {
                        (Some(level), Some(slot)) => slot.get_or_insert_with(|| hasher.hash(level)).clone(),
                        _ => String::new(),
                    }
                }
                None => String::new(),
            };
            self.push_cell(&text);
        }
        self.push_cell(&(row_idx + 1).to_string());
        let scores = self.scores;
        if let Some(probability) = scores.probability {
            let probability = score_at(probability, row_idx);
            self.push_cell(&format_significant(probability, SCORE_DIGITS));
            let positive = probability >= scores.decision_threshold;
            let prediction = match (probability.is_nan(), scores.positive_word) {
                (true, _) => String::new(),
                (false, None) => u8::from(positive).to_string(),
                (false, Some(word)) if positive => word.to_owned(),
                (false, Some(word)) => format!("Not {}", word.to_ascii_lowercase()),
            };
            self.push_cell(&prediction);
        }
        if let Some(anomaly) = scores.anomaly {
            self.push_cell(&format_significant(score_at(anomaly, row_idx), SCORE_DIGITS));
        }
        if let Some(outcome) = scores.rules {
            let ids: Vec<&str> = outcome.hits_of(row_idx).map(|rule| rule.id.as_str()).collect();
            self.push_cell(&ids.join("; "));
            self.push_cell(&format_number(outcome.max_severity.get(row_idx).copied().unwrap_or(f64::NAN)));
            self.push_cell(match outcome.flag.get(row_idx) {
                Some(true) => "1",
                Some(false) => "0",
                None => "",
            });
        }
        if !scores.priority.is_empty() {
            let priority = score_at(scores.priority, row_idx);
            self.push_cell(&format_significant(priority, SCORE_DIGITS));
            self.push_cell(if priority.is_nan() { "" } else { scores.cuts.tier(priority).slug() });
        }
        if self.with_rank {
            self.push_cell(&rank.map(|rank| rank.to_string()).unwrap_or_default());
        }
        self.finish_line(out)
    }

    fn push_cell(&mut self, text: &str) {
        if self.n_cells > 0 {
            self.line.push(',');
        }
        self.n_cells += 1;
        push_csv_cell(&mut self.line, text);
    }

    fn finish_line(&mut self, out: &mut impl Write) -> io::Result<()> {
        self.line.push('\n');
        out.write_all(self.line.as_bytes())
    }
}

fn score_at(scores: &[f64], row_idx: usize) -> f64 {
    scores.get(row_idx).copied().unwrap_or(f64::NAN)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::claims::table::CategoricalBuilder;
    use crate::claims::ClaimsTable;

    #[test]
    fn file_stems_are_safe() {
        assert_eq!(file_stem("medical"), "medical");
        assert_eq!(file_stem("../my pack/é"), "___my_pack__");
        assert_eq!(file_stem(""), "rules");
    }

    #[test]
    fn csv_cell_is_the_claims_layers() {
        assert_eq!(csv_cell("=SUM(A1:A9)"), "'=SUM(A1:A9)");
        assert_eq!(csv_cell("-12.5"), "-12.5");
    }

    fn table() -> ClaimsTable {
        let mut members = CategoricalBuilder::default();
        for value in [Some("M1"), None, Some("M2"), Some("M1")] {
            members.push(value);
        }
        let mut notes = CategoricalBuilder::default();
        for value in [Some("=HYPERLINK(x)"), Some("ok"), Some("a,b"), Some("-4")] {
            notes.push(value);
        }
        let mut table = ClaimsTable::new();
        table.push_column("claim_id", ColumnData::Numeric { values: vec![1.0, 2.0, 3.0, 4.0].into() }).unwrap();
        table.push_column("member_id", members.finish()).unwrap();
        table.push_column("note", notes.finish()).unwrap();
        table.push_column("amount", ColumnData::Numeric { values: vec![-12.5, f64::NAN, 100.0, 0.25].into() }).unwrap();
        table
    }

    fn written(scores: &ScoreColumns<'_>, rows: Option<&[u32]>, options: &ExportOptions) -> String {
        let mut out = Vec::new();
        write_scored_csv(table().view(), scores, rows, options, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_claim_with_its_scores_and_hashed_members() {
        let probability = [0.9, 0.2, f64::NAN, 0.500000123456];
        let priority = [0.9, 0.2, f64::NAN, 0.65];
        let scores = ScoreColumns {
            probability: Some(&probability),
            decision_threshold: 0.5,
            positive_word: Some("Denied"),
            anomaly: None,
            rules: None,
            priority: &priority,
            cuts: TierCuts::default(),
        };
        // HMAC-SHA-256, as Python's hmac.new(b"s4lt-of-sixteen!", b"M1", hashlib.sha256).hexdigest().
        let options = ExportOptions { hash_salt: Some("s4lt-of-sixteen!".into()) };
        let m1 = "e6e5ea3587c93c6570df1fbc2c46099f9fa23f185cc01be686cba2a24996ff10";
        let m2 = "8f5df0d3fd3af0822522b2dc933936ebbc818eb111a1e838b86607819f581ccd";
        let expected = format!(
            "claim_id,member_id,note,amount,row,probability,prediction,priority,risk_tier\n\
             1,{m1},'=HYPERLINK(x),-12.5,1,0.9,Denied,0.9,critical\n\
             2,,ok,,2,0.2,Not denied,0.2,low\n\
             3,{m2},\"a,b\",100,3,,,,\n\
             4,{m1},-4,0.25,4,0.5,Denied,0.65,high\n"
        );
        assert_eq!(written(&scores, None, &options), expected);
    }

    #[test]
    fn queue_rows_in_order_with_ranks_and_plain_identifiers() {
        let anomaly = [0.7, 0.4];
        let scores = ScoreColumns { anomaly: Some(&anomaly), ..ScoreColumns::default() };
        let expected = "claim_id,member_id,note,amount,row,anomaly_score,queue_rank\n\
                        4,M1,-4,0.25,4,,1\n\
                        1,M1,'=HYPERLINK(x),-12.5,1,0.7,3\n";
        assert_eq!(written(&scores, Some(&[3, 99, 0]), &ExportOptions::default()), expected);
    }

    #[test]
    fn hashing_covers_columns_named_like_identifiers() {
        let mut table = table();
        table
            .push_column("policy_number", ColumnData::Numeric { values: vec![521585.0, 342868.0, 1.0, 2.0].into() })
            .unwrap();
        let options = ExportOptions { hash_salt: Some("s4lt-of-sixteen!".into()) };
        let scores = ScoreColumns { priority: &[0.1, 0.2, 0.3, 0.4], ..ScoreColumns::default() };
        let mut out = Vec::new();
        write_scored_csv(table.view(), &scores, None, &options, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let first_row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
        assert_eq!(first_row[0], "1", "the claim's own identifier is kept");
        assert_eq!(first_row[4].len(), 64, "policy_number is hashed: {text}");
        assert!(!text.contains("521585"));
    }

    #[test]
    fn headers_are_neutralised_and_empty_tables_write_a_header() {
        let mut table = ClaimsTable::new();
        table.push_column("=cmd", ColumnData::Numeric { values: vec![].into() }).unwrap();
        let mut out = Vec::new();
        write_scored_csv(table.view(), &ScoreColumns::default(), Some(&[0]), &ExportOptions::default(), &mut out)
            .unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), "'=cmd,row,queue_rank\n");
    }
}
