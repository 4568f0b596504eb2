//! The page's model driven against a real session, natively: what the user does goes in as
//! events, requests go to the session, and its replies come back in the order a test
//! chooses, so job races, cancel and restore, and the form's defaults are checked without a
//! browser.

use std::io::Cursor;

use claimforest::analysis::hybrid::HybridWeights;
use claimforest::analysis::tiers::TierCuts;
use claimforest::claims::synth::Scenario;
use claimforest::claims::table_bytes::table_from_bytes;
use claimforest::page::rule_editor::RuleEdit;
use claimforest::page::train_form::{TrainEdit, TrainField};
use claimforest::page::{Effect, Event, GenerateField, PageModel, Screen};
use claimforest::protocol::{AlgorithmChoice, Envelope, ExportRequest, FilePart, FromWorker, ModelSlot, ToWorker};
use claimforest::session::{PostedFile, Session};

/// A page and the session its worker would run, with a page clock.
struct Harness {
    page: PageModel,
    session: Session,
    now_ms: f64,
}

impl Harness {
    fn new() -> Self {
        Harness { page: PageModel::default(), session: Session::new(), now_ms: 0.0 }
    }

    /// What the user did; returns the requests for the worker (other effects are checked
    /// by the tests that expect them).
    fn user(&mut self, event: Event) -> Vec<Envelope<ToWorker>> {
        self.now_ms += 10.0;
        let effects = self.page.apply(event, self.now_ms);
        effects
            .into_iter()
            .filter_map(|effect| match effect {
                Effect::Send(message) => Some(message),
                _ => None,
            })
            .collect()
    }

    /// The worker handles `message` (with `file` when it reads one); its progress and reply.
    fn serve(&mut self, message: Envelope<ToWorker>, file: Option<Vec<u8>>) -> Vec<Envelope<FromWorker>> {
        assert_eq!(message.body.reads_file(), file.is_some(), "{message:?}");
        let posted = file.map(|bytes| Box::new(Cursor::new(bytes)) as Box<dyn PostedFile>);
        let mut replies = Vec::new();
        let reply = self.session.handle(message, posted, &mut |progress| replies.push(progress));
        replies.push(reply);
        replies
    }

    /// The page receives `reply` (with the session's claims beside a `Loaded` it takes).
    fn deliver(&mut self, reply: Envelope<FromWorker>) -> Vec<Effect> {
        self.now_ms += 10.0;
        let claims = self.page.takes_claims(&reply).then(|| {
            self.page.forget_claims();
            let mut bytes = Vec::new();
            self.session.write_claims(&mut bytes).unwrap();
            table_from_bytes(&bytes).map_err(|e| e.to_string())
        });
        self.page.on_reply(reply, claims, self.now_ms)
    }

    /// Requests answered in order, replies delivered in order; returns the follow-up requests.
    fn round_trip(&mut self, messages: Vec<Envelope<ToWorker>>) -> Vec<Envelope<ToWorker>> {
        let mut follow_ups = Vec::new();
        for message in messages {
            for reply in self.serve(message, None) {
                for effect in self.deliver(reply) {
                    if let Effect::Send(next) = effect {
                        follow_ups.push(next);
                    }
                }
            }
        }
        follow_ups
    }

    fn generate(&mut self, scenario: Scenario, rows: &str) {
        self.user(Event::Scenario(scenario));
        self.user(Event::GenerateText(GenerateField::Rows, rows.into()));
        let requests = self.user(Event::Generate);
        assert!(self.round_trip(requests).is_empty());
        assert!(!self.page.is_busy());
    }

    /// Trains as the form says and answers the explained-sample requests that follow.
    fn train(&mut self) {
        let requests = self.user(Event::Train);
        assert_eq!(requests.len(), 1, "{:?}", self.page.error);
        let on_train_screen = self.page.screen == Screen::Train;
        let mut scrolled = false;
        let mut samples = Vec::new();
        for message in requests {
            for reply in self.serve(message, None) {
                for effect in self.deliver(reply) {
                    match effect {
                        Effect::Send(next) => samples.push(next),
                        Effect::ScrollToTop => scrolled = true,
                        other => panic!("{other:?}"),
                    }
                }
            }
        }
        assert_eq!(scrolled, on_train_screen, "the scores open at their top when training moved there");
        assert!(samples.iter().all(|m| matches!(m.body, ToWorker::ExplainSample { .. })), "{samples:?}");
        assert!(self.round_trip(samples).is_empty());
    }
}

fn explained_row(page: &PageModel) -> Option<usize> {
    page.explanation.as_ref().and_then(|e| e.row)
}

#[test]
fn loaded_claims_preselect_their_label_and_default_features() {
    let mut h = Harness::new();
    h.user(Event::Show(Screen::Train));
    h.generate(Scenario::Medical, "2000");
    let data = h.page.data.clone().expect("claims are installed");
    assert_eq!(data.table.n_rows(), 2_000);
    assert!(h.page.status.starts_with("Loaded 2,000 claims"), "{}", h.page.status);
    let form = &h.page.train_form;
    assert_eq!(form.label_column.as_deref(), Some("is_anomaly"));
    assert_eq!(form.positive_label.as_deref(), Some("1"));
    let default_on: Vec<&String> = data.loaded.features.iter().filter(|f| f.default_on).map(|f| &f.name).collect();
    assert_eq!(form.feature_columns.iter().collect::<Vec<_>>(), default_on);
    assert!(h.page.rules.is_some() && h.page.rule_draft.is_some(), "the medical pack runs on medical claims");

    // No label: anomaly detection with the isolation forest and its features.
    h.user(Event::EditTrain(TrainEdit::Label(String::new())));
    assert_eq!(h.page.train_form.algorithm, AlgorithmChoice::IsolationForest);
    assert_eq!(h.page.train_form.positive_label, None);
    // Choosing the label again takes its default positive class.
    h.user(Event::EditTrain(TrainEdit::Label("is_anomaly".into())));
    assert_eq!(h.page.train_form.positive_label.as_deref(), Some("1"));
    h.user(Event::EditTrain(TrainEdit::Algorithm(AlgorithmChoice::IsolationForest)));
    let anomaly: Vec<&String> = data.loaded.features.iter().filter(|f| f.anomaly_default).map(|f| &f.name).collect();
    assert!(!anomaly.is_empty());
    assert_eq!(h.page.train_form.feature_columns.iter().collect::<Vec<_>>(), anomaly);
    h.user(Event::EditTrain(TrainEdit::AllFeatures));
    assert!(!h.page.train_form.feature_columns.iter().any(|f| f == "is_anomaly"), "the label is never a feature");
    h.user(Event::EditTrain(TrainEdit::NoFeatures));
    assert_eq!(h.page.train_form.n_chosen(), 0);
    h.user(Event::EditTrain(TrainEdit::Feature { name: "units".into(), on: true }));
    assert_eq!(h.page.train_form.feature_columns, ["units"]);
}

#[test]
fn a_file_without_a_label_starts_as_anomaly_detection() {
    let mut h = Harness::new();
    let mut csv = String::from("claim_id,member_id,provider_id,procedure_code,billed_amount,service_date\n");
    for i in 0..300 {
        csv.push_str(&format!(
            "C{i},M{},P{},9921{},{}.00,2024-01-{:02}\n",
            i % 40,
            i % 7,
            i % 4,
            50 + i % 90,
            1 + i % 28
        ));
    }
    let requests = h.user(Event::ReadFile { file_name: "claims.csv".into(), part: FilePart::default() });
    assert!(h.page.is_busy());
    let [request] = <[Envelope<ToWorker>; 1]>::try_from(requests).unwrap();
    for reply in h.serve(request, Some(csv.into_bytes())) {
        h.deliver(reply);
    }
    assert_eq!(h.page.data.as_ref().map(|d| d.table.n_rows()), Some(300), "{:?}", h.page.error);
    assert_eq!(h.page.train_form.label_column, None);
    assert_eq!(h.page.train_form.algorithm, AlgorithmChoice::IsolationForest);
    assert!(!h.page.train_form.feature_columns.is_empty());
    assert!(!h.page.train_form.feature_columns.iter().any(|f| f == "claim_id"), "identifiers are no features");
}

#[test]
fn a_stale_explanation_never_replaces_the_newer_selection() {
    let mut h = Harness::new();
    h.generate(Scenario::Denial, "500");
    h.user(Event::EditTrain(TrainEdit::Text(TrainField::Trees, "10".into())));
    h.train();
    assert!(h.page.results.is_some());
    assert_eq!(h.page.sample_shap.len(), 1, "the explained sample arrived");

    let first = h.user(Event::Explain(3));
    let second = h.user(Event::Explain(7));
    assert_eq!(h.page.selected, Some(7));
    // The newer reply lands first, then the stale one.
    let newer = h.serve(second.into_iter().next().unwrap(), None);
    let stale = h.serve(first.into_iter().next().unwrap(), None);
    newer.into_iter().chain(stale).for_each(|reply| {
        h.deliver(reply);
    });
    assert_eq!(explained_row(&h.page), Some(7));
    assert!(!h.page.whatif_fields.is_empty(), "the what-if form is the selected claim's");

    // A what-if reply is the what-if's, never the selection's.
    let field = h.page.whatif_fields.iter().position(|f| f.feature == "billed_amount").unwrap_or(0);
    let whatif = h.user(Event::WhatIfText(field, "99999".into()));
    assert_eq!(whatif.len(), 1);
    h.round_trip(whatif);
    assert!(h.page.whatif.is_some());
    assert_eq!(explained_row(&h.page), Some(7));

    // Explaining another claim clears the previous what-if result.
    let explain = h.page.apply(Event::Explain(9), 0.0).into_iter().filter_map(send).collect();
    h.round_trip(explain);
    assert_eq!(explained_row(&h.page), Some(9));
    assert!(h.page.whatif.is_none());
}

fn send(effect: Effect) -> Option<Envelope<ToWorker>> {
    match effect {
        Effect::Send(message) => Some(message),
        _ => None,
    }
}

#[test]
fn cancel_stops_the_worker_restores_the_claims_and_ignores_late_replies() {
    let mut h = Harness::new();
    h.generate(Scenario::Denial, "400");
    h.user(Event::EditTrain(TrainEdit::Text(TrainField::Trees, "5".into())));
    h.train();
    let loaded = h.page.data.clone().unwrap();

    let train = h.user(Event::Train);
    assert!(h.page.is_busy());
    // A second long job waits for the first.
    assert!(h.user(Event::Generate).is_empty());
    assert_eq!(h.page.error.as_deref(), Some("Wait for the running job to finish, or cancel it."));

    let effects = h.page.apply(Event::Cancel, h.now_ms);
    assert!(!h.page.is_busy());
    assert_eq!(effects.first(), Some(&Effect::StopWorker));
    let Some(Effect::Send(restore)) = effects.get(1).cloned() else { panic!("{effects:?}") };
    assert!(matches!(restore.body, ToWorker::Restore { .. }), "{restore:?}");
    let restore_job = restore.job_id;
    assert!(h.page.results.is_none(), "the cancelled run's scores go");
    assert!(h.page.status.starts_with("Training cancelled. The claims are kept; the earlier scores"));

    // A fresh worker takes the claims back; its echo changes nothing on the page.
    h.session = Session::new();
    let echo = h.serve(restore, None);
    assert!(matches!(echo.last().map(|e| &e.body), Some(FromWorker::Loaded { .. })));
    echo.into_iter().for_each(|reply| {
        h.deliver(reply);
    });
    let kept = h.page.data.clone().unwrap();
    assert!(std::sync::Arc::ptr_eq(&kept, &loaded), "the page keeps its own copy");
    // The new worker holds the same claims.
    assert_eq!(
        h.session.claims_byte_len(),
        Some(claimforest::claims::table_bytes::table_byte_len(loaded.table.view()))
    );

    // The old run's reply, had it slipped through before the worker stopped, is ignored.
    let mut old = Session::new();
    let options = claimforest::claims::synth::SynthOptions { n_rows: 400, seed: 42, fraud_rate: 0.05 };
    let generate = Envelope::new(1, ToWorker::Generate { scenario: Scenario::Denial, options });
    old.handle(generate, None, &mut |_| {});
    let late = old.handle(train.into_iter().next().unwrap(), None, &mut |_| {});
    assert!(matches!(late.body, FromWorker::Trained { .. }));
    h.deliver(late);
    assert!(h.page.results.is_none());
    // A failure of the restore is not the user's error; a failure of the worker is.
    h.deliver(Envelope::new(restore_job, FromWorker::Failed { message: "restore failed".into() }));
    assert_eq!(h.page.error, None);
    h.deliver(Envelope::new(0, FromWorker::Failed { message: "worker error".into() }));
    assert_eq!(h.page.error.as_deref(), Some("worker error"));
}

#[test]
fn a_run_without_the_chosen_model_ranks_by_the_one_it_has() {
    let mut h = Harness::new();
    h.generate(Scenario::Medical, "1500");
    h.user(Event::RankBy(ModelSlot::Forest));
    h.user(Event::EditTrain(TrainEdit::Algorithm(AlgorithmChoice::IsolationForest)));
    h.user(Event::EditTrain(TrainEdit::Text(TrainField::IsolationTrees, "20".into())));
    h.user(Event::Show(Screen::Train));
    h.train();
    assert_eq!(h.page.rank_by, ModelSlot::Isolation);
    assert_eq!(h.page.screen, Screen::Results, "a finished run shows its scores");
    // A new screen starts at its top; the screen shown again does not move.
    assert_eq!(h.page.apply(Event::Show(Screen::Queue), 0.0), [Effect::ScrollToTop]);
    assert!(h.page.apply(Event::Show(Screen::Queue), 0.0).is_empty());
    // A claim opened from the queue is explained and shown on Scored claims, from the top.
    let effects = h.page.apply(Event::OpenClaim(4), 0.0);
    assert!(
        matches!(effects.as_slice(), [Effect::Send(e), Effect::ScrollToTop] if matches!(e.body, ToWorker::Explain { row: 4, .. })),
        "{effects:?}"
    );
    assert_eq!((h.page.screen, h.page.selected), (Screen::Results, Some(4)));
    assert!(h.page.status.starts_with("Trained the isolation forest and scored 1,500 claims"), "{}", h.page.status);
    let choice = h.page.priority_choice().unwrap();
    assert_eq!((choice.rank_by, choice.use_rules), (ModelSlot::Isolation, true));
    h.user(Event::UseRules(false));
    assert!(!h.page.priority_choice().unwrap().use_rules);
}

#[test]
fn queue_downloads_read_the_queue_settings_and_refuse_bad_ones() {
    let mut h = Harness::new();
    h.generate(Scenario::Denial, "300");
    h.user(Event::EditTrain(TrainEdit::Text(TrainField::Trees, "5".into())));
    h.train();
    h.user(Event::Capacity("lots".into()));
    assert!(h.user(Event::DownloadQueue { explanations: false }).is_empty());
    assert_eq!(h.page.error.as_deref(), Some("Capacity: 'lots' is not a whole number"));
    h.user(Event::Capacity("1,000".into()));
    let requests = h.user(Event::DownloadQueue { explanations: false });
    let [Envelope { body: ToWorker::Export { request: ExportRequest::ReviewQueue { settings, .. }, .. }, .. }] =
        requests.as_slice()
    else {
        panic!("{requests:?}")
    };
    assert_eq!(settings.capacity, 1_000);
    // The reply is saved by the page, then reported.
    let reply = h.serve(requests[0].clone(), None).pop().unwrap();
    let effects = h.deliver(reply);
    assert!(
        matches!(effects.as_slice(), [Effect::Save { file_name, .. }] if file_name.ends_with(".csv")),
        "{effects:?}"
    );

    // Hashing without a salt asks for one instead of downloading.
    h.user(Event::HashIds(true));
    h.user(Event::TypeSalt("short".into()));
    assert!(h.page.salt_error.is_some(), "a short salt is refused");
    h.page.salt.clear();
    assert!(h.user(Event::DownloadQueue { explanations: true }).is_empty());
    assert!(h.page.salt_error.as_deref().unwrap().starts_with("Draw or type a salt"));
    h.user(Event::DrawSalt);
    assert_eq!(h.page.salt.len(), 64);
    // New seeds come from the same source, and differ.
    let seeds: Vec<String> = (0..3)
        .map(|_| {
            h.user(Event::NewSeed { generate: false });
            h.page.train_form.seed.clone()
        })
        .collect();
    assert!(seeds.iter().all(|s| s.parse::<u64>().is_ok_and(|v| v < 1_000_000_000)), "{seeds:?}");
    assert!(seeds[0] != seeds[1] || seeds[1] != seeds[2], "{seeds:?}");
    h.user(Event::NewSeed { generate: true });
    assert!(h.page.generate.seed.parse::<u64>().is_ok());
    let requests = h.user(Event::DownloadQueue { explanations: true });
    assert!(matches!(requests.as_slice(), [Envelope { body: ToWorker::Export { .. }, .. }]));
}

#[test]
fn weights_and_cuts_are_validated_before_they_are_taken() {
    let mut h = Harness::new();
    let bad = HybridWeights { model: -1.0, ..HybridWeights::default() };
    h.user(Event::Weights(bad));
    assert_eq!(h.page.weights, HybridWeights::default());
    assert!(h.page.error.is_some());
    let good = HybridWeights { model: 0.7, ..HybridWeights::default() };
    h.user(Event::Weights(good));
    assert_eq!((h.page.weights, h.page.error.clone()), (good, None));
    let crossed = TierCuts { medium: 0.9, ..TierCuts::default() };
    h.user(Event::Cuts(crossed));
    assert_eq!(h.page.cuts, TierCuts::default());
    assert!(h.page.error.is_some());
    h.user(Event::DismissError);
    assert_eq!(h.page.error, None);
}

#[test]
fn rule_edits_stay_a_draft_until_applied() {
    let mut h = Harness::new();
    h.generate(Scenario::Denial, "300");
    let running = h.page.rules.clone().expect("the denial pack runs");
    assert_eq!(running.running_builtin(), Some("denial"), "the chooser shows the pack that runs");
    let n_rules = running.pack.rules.len();
    h.user(Event::EditRules(RuleEdit::Add));
    h.user(Event::EditRules(RuleEdit::Condition(n_rules, "units > 3".into())));
    h.user(Event::EditRules(RuleEdit::Threshold { index: n_rules, which: 0, value: 5.0 }));
    let draft = h.page.rule_draft.clone().unwrap();
    assert_eq!(draft.rules.len(), n_rules + 1);
    assert_eq!(draft.rules[n_rules].condition, "units > 5");
    assert_eq!(h.page.rules.as_ref().unwrap().pack.rules.len(), n_rules, "nothing runs before Apply");
    h.user(Event::UndoRuleEdits);
    assert_eq!(h.page.rule_draft.as_ref().unwrap().rules.len(), n_rules);

    h.user(Event::EditRules(RuleEdit::Remove(0)));
    let apply = h.user(Event::ApplyRules);
    assert!(matches!(apply.as_slice(), [Envelope { body: ToWorker::SetRules { .. }, .. }]));
    h.round_trip(apply);
    let applied = h.page.rules.clone().unwrap();
    assert_eq!((applied.pack.rules.len(), applied.origin.as_str()), (n_rules - 1, "edited in ClaimForest"));
    assert_eq!(applied.running_builtin(), None, "an edited pack is no built-in one");
    assert!(h.page.status.starts_with("Running the"), "{}", h.page.status);
    assert_eq!(h.page.rule_draft.as_ref(), Some(&applied.pack));

    // A broken draft is refused with its reason, and nothing is sent.
    h.user(Event::EditRules(RuleEdit::Condition(0, "units >".into())));
    assert!(h.user(Event::ApplyRules).is_empty());
    assert!(h.page.error.as_deref().unwrap().starts_with("The rules cannot be applied"));
}

#[test]
fn nothing_needing_claims_runs_without_them() {
    let mut h = Harness::new();
    for (event, message) in [
        (Event::Train, "Generate or load claims before training."),
        (Event::JoinFile("p.csv".into()), "Load claims before joining a file to them."),
        (Event::LoadModelFile("m.json".into()), "Load the claims to score before loading a model."),
        (Event::ScoreBatch("b.csv".into()), "Train a model, or load a saved one, before scoring a new batch."),
        (Event::BuiltinRules("medical".into()), "Load claims before choosing rules."),
    ] {
        assert!(h.user(event).is_empty());
        assert_eq!(h.page.error.as_deref(), Some(message));
    }
    h.user(Event::GenerateText(GenerateField::Rows, "5".into()));
    assert!(h.user(Event::Generate).is_empty());
    assert_eq!(h.page.error.as_deref(), Some("Claims to generate: 5 is outside 100..=1000000"));
    assert!(!h.page.is_busy());
}
