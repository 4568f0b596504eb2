//! The session's business rules: which pack runs on the claims, its outcome, and the
//! priority the page and the downloads share.

use super::{Reply, Session, SessionError, SessionRules};
use crate::analysis::hybrid::claim_priority;
use crate::claims::rules::{evaluate_pack, suggested_pack, RulePack};
use crate::claims::ClaimsTable;
use crate::protocol::{FromWorker, PriorityChoice, RulesData};

impl Session {
    /// The rules to run on newly loaded claims: the current pack when it is the user's own
    /// (edited or uploaded) and some of its rules can run here, else the built-in pack that
    /// fits best.
    pub(super) fn rules_for(&self, prepared: &ClaimsTable) -> Option<SessionRules> {
        if let Some(current) = self.rules.as_ref().filter(|rules| !rules.origin.starts_with(BUILTIN_PREFIX)) {
            let outcome = evaluate_pack(prepared, &current.pack);
            if !outcome.rules.is_empty() {
                return Some(SessionRules { pack: current.pack.clone(), origin: current.origin.clone(), outcome });
            }
        }
        let pack = suggested_pack(prepared)?;
        let outcome = evaluate_pack(prepared, &pack);
        let origin = format!("{BUILTIN_PREFIX} {} pack", pack.name);
        Some(SessionRules { pack, origin, outcome })
    }

    pub(super) fn set_rules(&mut self, pack: RulePack, origin: String) -> Reply {
        pack.validate().map_err(|e| format!("{origin}: {e}"))?;
        let data = self.data()?;
        let outcome = evaluate_pack(&data.prepared, &pack);
        let rules = SessionRules { pack, origin, outcome };
        let reply = FromWorker::RulesApplied { rules: Box::new(rules.to_data()) };
        self.rules = Some(rules);
        Ok(reply)
    }

    pub(super) fn load_rules_file(&mut self, file_name: &str, bytes: &[u8]) -> Reply {
        let text = std::str::from_utf8(bytes)
            .map_err(|_| format!("{file_name}: a rule pack is JSON text, and this is not text"))?;
        let pack = RulePack::from_json(text).map_err(|e| format!("{file_name}: {e}"))?;
        self.set_rules(pack, file_name.to_owned())
    }

    /// The session's pack as a file.
    pub(super) fn rule_pack_json(&self) -> Result<Vec<u8>, SessionError> {
        let rules = self.rules.as_ref().ok_or("No rule pack runs on these claims yet.")?;
        rules.pack.to_json().map(String::into_bytes).map_err(|e| SessionError::from(e.to_string()))
    }

    /// The rule outcome, if a pack runs.
    pub(super) fn rule_outcome(&self) -> Option<&crate::claims::rules::RuleOutcome> {
        self.rules.as_ref().map(|rules| &rules.outcome)
    }

    /// Every claim's priority as the page computes it for `choice`.
    pub(super) fn priority(&self, choice: &PriorityChoice) -> Result<Vec<f64>, SessionError> {
        let fitted = self.fitted(choice.rank_by)?;
        let kind = choice.rank_by.score_kind();
        let rules = self
            .rule_outcome()
            .filter(|_| choice.use_rules)
            .map(|outcome| (outcome.max_severity.as_slice(), outcome.flag.as_slice()));
        Ok(claim_priority(Some((&fitted.scores, kind)), rules, &choice.weights))
    }
}

/// How the origin of a built-in pack starts.
const BUILTIN_PREFIX: &str = "built-in";

impl SessionRules {
    pub(super) fn to_data(&self) -> RulesData {
        RulesData::new(self.pack.clone(), self.origin.clone(), &self.outcome)
    }
}
