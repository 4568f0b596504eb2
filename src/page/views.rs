//! What the page shows, as plain values: the screens, the loaded claims, the running rules,
//! the ranking (which model's score orders the claims, blended with the rules), and the
//! sentence that reports a finished run.

use std::sync::Arc;

use crate::analysis::evaluation::{Beeswarm, NamedValue};
use crate::analysis::format_count;
use crate::analysis::hybrid::{claim_priority, AnomalyRescale, HybridWeights};
use crate::claims::rules::{RuleOutcome, RulePack};
use crate::claims::ClaimsTable;
use crate::protocol::{LoadedData, ModelRun, ModelSlot, RunResults};

/// The screens of the workspace, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Screen {
    /// Generate or upload claims, and see the schema report.
    Data,
    /// The rule pack: edit, upload, download; hybrid weights.
    Rules,
    /// Choose label, features and algorithm, and train.
    Train,
    /// Every scored claim, and one claim explained.
    Results,
    /// Metrics and charts.
    Evaluation,
    /// The review queue.
    Queue,
    /// Member, provider or prescriber, and pharmacy summaries.
    Summaries,
    /// Edit a claim and rescore it.
    WhatIf,
    /// Downloads and model upload.
    Files,
}

impl Screen {
    /// Every screen, in tab order.
    pub const ALL: [Screen; 9] = [
        Screen::Data,
        Screen::Rules,
        Screen::Train,
        Screen::Results,
        Screen::Evaluation,
        Screen::Queue,
        Screen::Summaries,
        Screen::WhatIf,
        Screen::Files,
    ];

    /// The tab's text.
    pub fn title(self) -> &'static str {
        match self {
            Screen::Data => "Data",
            Screen::Rules => "Rules",
            Screen::Train => "Train",
            Screen::Results => "Scored claims",
            Screen::Evaluation => "Evaluation",
            Screen::Queue => "Review queue",
            Screen::Summaries => "Summaries",
            Screen::WhatIf => "What-if",
            Screen::Files => "Downloads",
        }
    }

    /// The tab's `data-testid` and element id stem.
    pub fn slug(self) -> &'static str {
        match self {
            Screen::Data => "data",
            Screen::Rules => "rules",
            Screen::Train => "train",
            Screen::Results => "results",
            Screen::Evaluation => "evaluation",
            Screen::Queue => "queue",
            Screen::Summaries => "summaries",
            Screen::WhatIf => "whatif",
            Screen::Files => "files",
        }
    }
}

/// Loaded claims as the page holds them.
pub struct DataView {
    /// What the worker said about them.
    pub loaded: LoadedData,
    /// The raw claims, decoded once.
    pub table: Arc<ClaimsTable>,
}

/// The session's rules as the page holds them.
#[derive(Clone, PartialEq)]
pub struct RulesView {
    /// The pack.
    pub pack: RulePack,
    /// Where it came from ("built-in medical pack", a file name, "edited in ClaimForest").
    pub origin: String,
    /// Its hits, per-claim severity and flag, rebuilt once from what the worker sent.
    pub outcome: RuleOutcome,
}

impl RulesView {
    /// The built-in pack running as it was shipped (`None` for an uploaded or edited pack),
    /// so the pack chooser shows what runs.
    pub fn running_builtin(&self) -> Option<&str> {
        (self.origin == format!("built-in {} pack", self.pack.name)).then_some(self.pack.name.as_str())
    }

    /// "Running the medical pack (built-in medical pack): 9 of 9 rules ran; 3,669 of 20,000
    /// claims hit at least one."
    pub fn summary(&self) -> String {
        format!(
            "Running the {} pack ({}): {} of {} rules ran; {} of {} claims hit at least one.",
            self.pack.name,
            self.origin,
            self.outcome.rules.len(),
            self.pack.rules.len(),
            format_count(self.outcome.flagged_count()),
            format_count(self.outcome.n_rows),
        )
    }
}

/// One model's explained sample: mean |SHAP| per feature and the beeswarm.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleShap {
    /// Which model.
    pub slot: ModelSlot,
    /// Mean |SHAP| per feature, largest first.
    pub mean_abs_shap: Vec<NamedValue>,
    /// One point per sampled claim and top feature.
    pub beeswarm: Beeswarm,
}

/// The latest results, which model's score ranks the claims, and the priority made from it
/// (blended with the rules when they run); cheap to clone.
#[derive(Clone, PartialEq)]
pub struct Ranking {
    /// The results.
    pub results: Arc<RunResults>,
    idx: usize,
    priority: Arc<Vec<f64>>,
    /// How the ranking model's score enters the hybrid (anomaly scores are rescaled).
    rescale: Option<AnomalyRescale>,
    /// Whether the rules are blended in (the hybrid priority).
    pub hybrid: bool,
}

impl Ranking {
    /// Ranks by the model in `slot` (else the first model), blended with `rules` when given;
    /// `None` without models.
    pub fn new(
        results: Arc<RunResults>,
        slot: ModelSlot,
        rules: Option<&RulesView>,
        weights: &HybridWeights,
    ) -> Option<Self> {
        let idx = results.models.iter().position(|m| m.slot == slot).or((!results.models.is_empty()).then_some(0))?;
        let run = &results.models[idx];
        let kind = run.slot.score_kind();
        let rescale = kind.is_anomaly().then(|| AnomalyRescale::of(&run.scores));
        let rule_terms = rules.map(|r| (r.outcome.max_severity.as_slice(), r.outcome.flag.as_slice()));
        let priority = claim_priority(Some((&run.scores, kind)), rule_terms, weights);
        Some(Ranking { idx, priority: Arc::new(priority), rescale, hybrid: rule_terms.is_some(), results })
    }

    /// The ranking model's run.
    pub fn run(&self) -> &ModelRun {
        &self.results.models[self.idx.min(self.results.models.len().saturating_sub(1))]
    }

    /// The priority of every claim, in table order.
    pub fn priority(&self) -> &[f64] {
        &self.priority
    }

    /// The model's score of claim `row` as it enters the hybrid (anomaly scores rescaled).
    pub fn model_part(&self, row: usize) -> f64 {
        let score = self.run().scores.get(row).copied().unwrap_or(f64::NAN);
        self.rescale.map_or(score, |rescale| rescale.apply(score))
    }
}

/// "Trained the random forest and the isolation forest and scored 20,000 claims", or
/// "Scored 1,000 claims with the random forest from model.json".
pub fn describe_results(results: &RunResults) -> String {
    let n_claims = format_count(results.models.first().map_or(0, |run| run.scores.len()));
    let (trained, loaded): (Vec<&ModelRun>, Vec<&ModelRun>) =
        results.models.iter().partition(|run| run.origin.is_trained_now());
    let mut parts = Vec::new();
    if !trained.is_empty() {
        let names: Vec<String> = trained.iter().map(|run| format!("the {}", run.slot.name())).collect();
        parts.push(format!("Trained {} and scored {n_claims} claims", names.join(" and ")));
    }
    for run in loaded {
        parts.push(format!("Scored {n_claims} claims with the {} from {}", run.slot.name(), run.origin));
    }
    parts.join("; ")
}

/// The labels of the claims: those of the latest training, else the proposed label column
/// of the loaded claims (its default class positive), else none.
pub fn known_labels(results: Option<&RunResults>, data: Option<&DataView>) -> Option<Arc<Vec<bool>>> {
    if let Some(labels) = results.and_then(|r| r.labels.clone()) {
        return Some(Arc::new(labels));
    }
    let data = data?;
    let choice = crate::protocol::proposed_label(&data.loaded.labels)?;
    let labels =
        crate::pipeline::binary_labels(&data.table, &choice.column, choice.default_positive.as_deref()).ok()?;
    Some(Arc::new(labels.into_iter().map(|label| label == 1).collect()))
}
