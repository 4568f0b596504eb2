//! A level summary as a [`ClaimsTable`] (one row per entity, the CSV's columns), so the
//! page's virtualized, sortable grid shows it like claims.

use super::csv::{columns_of, Field};
use super::LevelSummary;
use crate::claims::table::{CategoricalBuilder, ClaimsTable, ColumnData, TableError, MISSING_DAY};

/// The summary's rows in their current order, with the columns and headers of
/// [`super::write_summary_csv`]: the id as text, dates as dates, everything else numeric
/// (unknown values missing), rounded for reading: money to cents, peer percentiles to one
/// decimal, shares and priorities to four. The CSV keeps full precision.
pub fn summary_table(summary: &LevelSummary) -> Result<ClaimsTable, TableError> {
    let mut table = ClaimsTable::new();
    for field in columns_of(summary) {
        let data = match field {
            Field::Id => {
                let mut ids = CategoricalBuilder::default();
                for row in &summary.rows {
                    ids.push(Some(&row.id));
                }
                ids.finish()
            }
            Field::FirstDate | Field::LastDate => ColumnData::Date {
                days: summary
                    .rows
                    .iter()
                    .map(|row| {
                        let day = if matches!(field, Field::FirstDate) {
                            row.first_service_day
                        } else {
                            row.last_service_day
                        };
                        day.unwrap_or(MISSING_DAY)
                    })
                    .collect(),
            },
            _ => {
                let places = match field {
                    Field::NClaims => 0,
                    Field::Total => 2,
                    Field::PeerPercentile => 1,
                    _ => 4,
                };
                let scale = 10f64.powi(places);
                ColumnData::Numeric {
                    values: summary
                        .rows
                        .iter()
                        .map(|row| field.number(row).map_or(f64::NAN, |value| (value * scale).round() / scale))
                        .collect(),
                }
            }
        };
        table.push_column(field.header(summary), data)?;
    }
    Ok(table)
}
