//! Writing a level summary as CSV (`member_level_summary.csv` and its siblings), every cell
//! through the CSV-injection guard.

use std::io::{self, BufWriter, Write};

use super::{EntitySummary, LevelSummary};
use crate::claims::csv_writer::push_csv_cell;
use crate::claims::table::{format_day, format_number};

/// Writes `summary.rows` in their current order under a header. The columns are
/// `<level>_id` (e.g. `prescriber_id`), `n_claims`, then as the summary allows:
/// `total_<amount column>`, `mean_priority`, `max_priority`, `flagged_share`, `label_rate`,
/// `one_and_done_share`, `top_<counterparty>_share`, `peer_percentile`,
/// `first_service_date`, `last_service_date` (ISO dates). An unknown value is an empty cell.
/// Cells and headers go through [`crate::claims::csv_writer::csv_cell`]'s guard and RFC 4180
/// quoting; lines end in `\n`.
pub fn write_summary_csv(summary: &LevelSummary, out: &mut impl Write) -> io::Result<()> {
    let columns = columns_of(summary);
    let mut out = BufWriter::with_capacity(1 << 16, out);
    let mut line = String::with_capacity(256);
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            line.push(',');
        }
        push_csv_cell(&mut line, &column.header(summary));
    }
    line.push('\n');
    out.write_all(line.as_bytes())?;
    for row in &summary.rows {
        line.clear();
        for (index, column) in columns.iter().enumerate() {
            if index > 0 {
                line.push(',');
            }
            push_csv_cell(&mut line, &column.cell(row));
        }
        line.push('\n');
        out.write_all(line.as_bytes())?;
    }
    out.flush()
}

/// One column of the file.
#[derive(Debug, Clone, Copy)]
pub(super) enum Field {
    Id,
    NClaims,
    Total,
    MeanPriority,
    MaxPriority,
    FlaggedShare,
    LabelRate,
    OneAndDone,
    TopShare,
    PeerPercentile,
    FirstDate,
    LastDate,
}

pub(super) fn columns_of(summary: &LevelSummary) -> Vec<Field> {
    let optional = [
        (summary.amount_column.is_some(), Field::Total),
        (summary.has_priority, Field::MeanPriority),
        (summary.has_priority, Field::MaxPriority),
        (summary.has_flags, Field::FlaggedShare),
        (summary.has_labels, Field::LabelRate),
        (summary.has_members, Field::OneAndDone),
        (summary.counterparty.is_some(), Field::TopShare),
        (summary.has_priority, Field::PeerPercentile),
        (summary.has_dates, Field::FirstDate),
        (summary.has_dates, Field::LastDate),
    ];
    let mut columns = vec![Field::Id, Field::NClaims];
    columns.extend(optional.iter().filter(|(present, _)| *present).map(|&(_, field)| field));
    columns
}

impl Field {
    pub(super) fn header(self, summary: &LevelSummary) -> String {
        match self {
            Field::Id => format!("{}_id", summary.level.slug()),
            Field::NClaims => "n_claims".to_owned(),
            Field::Total => format!("total_{}", summary.amount_column.as_deref().unwrap_or("amount")),
            Field::MeanPriority => "mean_priority".to_owned(),
            Field::MaxPriority => "max_priority".to_owned(),
            Field::FlaggedShare => "flagged_share".to_owned(),
            Field::LabelRate => "label_rate".to_owned(),
            Field::OneAndDone => "one_and_done_share".to_owned(),
            Field::TopShare => {
                format!("top_{}_share", summary.counterparty.map_or("counterparty", |level| level.slug()))
            }
            Field::PeerPercentile => "peer_percentile".to_owned(),
            Field::FirstDate => "first_service_date".to_owned(),
            Field::LastDate => "last_service_date".to_owned(),
        }
    }

    /// The field as a number, for numeric fields (`None` when unknown or not numeric).
    pub(super) fn number(self, row: &EntitySummary) -> Option<f64> {
        match self {
            Field::NClaims => Some(row.n_claims as f64),
            Field::Total => row.total_paid,
            Field::MeanPriority => row.mean_priority,
            Field::MaxPriority => row.max_priority,
            Field::FlaggedShare => row.flagged_share,
            Field::LabelRate => row.label_rate,
            Field::OneAndDone => row.one_and_done_share,
            Field::TopShare => row.top_counterparty_share,
            Field::PeerPercentile => row.peer_percentile,
            Field::Id | Field::FirstDate | Field::LastDate => None,
        }
    }

    fn cell(self, row: &EntitySummary) -> String {
        let number = |value: Option<f64>| value.map(format_number).unwrap_or_default();
        let day = |value: Option<i32>| value.map(format_day).unwrap_or_default();
        match self {
            Field::Id => row.id.clone(),
            Field::NClaims => row.n_claims.to_string(),
            Field::Total => number(row.total_paid),
            Field::MeanPriority => number(row.mean_priority),
            Field::MaxPriority => number(row.max_priority),
            Field::FlaggedShare => number(row.flagged_share),
            Field::LabelRate => number(row.label_rate),
            Field::OneAndDone => number(row.one_and_done_share),
            Field::TopShare => number(row.top_counterparty_share),
            Field::PeerPercentile => number(row.peer_percentile),
            Field::FirstDate => day(row.first_service_day),
            Field::LastDate => day(row.last_service_day),
        }
    }
}
