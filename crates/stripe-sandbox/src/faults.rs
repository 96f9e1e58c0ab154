//! Fault injection: scripted faults ("fail the third page of charges once") and random faults
//! at configured rates, deterministic under the sandbox seed for a given request order.
//! Depends on nothing in the crate; the server applies the decisions.

use std::time::Duration;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

/// One kind of failure the sandbox can inject into a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
#[non_exhaustive]
pub enum Fault {
    /// A 500 with Stripe's `api_error` body.
    ServerError,
    /// The connection is closed without any response.
    DropConnection,
    /// The response is delayed by `millis` milliseconds, then served normally.
    Slow {
        /// The delay in milliseconds.
        millis: u64,
    },
    /// The status and headers are sent, then only half of the body before the connection closes.
    TruncatedBody,
}

/// A scripted fault: the `nth` (1-based) request matching `path` (and `account`, if set)
/// and the following `times - 1` matching requests get `fault`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaultRule {
    /// The request path, e.g. `/v1/charges`; a trailing `*` matches any path with that prefix.
    pub path: String,
    /// Only requests for this connected account (`Stripe-Account`) count, if set.
    #[serde(default)]
    pub account: Option<String>,
    /// The first matching request (1-based) that fails.
    #[serde(default = "one")]
    pub nth: u64,
    /// How many consecutive matching requests fail from the `nth` on.
    #[serde(default = "one")]
    pub times: u64,
    /// What happens to them.
    pub fault: Fault,
}

fn one() -> u64 {
    1
}

impl FaultRule {
    /// A rule failing the first request to `path` once with `fault`.
    pub fn new(path: impl Into<String>, fault: Fault) -> Self {
        Self {
            path: path.into(),
            account: None,
            nth: 1,
            times: 1,
            fault,
        }
    }

    /// Fails from the `nth` (1-based) matching request on.
    pub fn on_request(mut self, nth: u64) -> Self {
        self.nth = nth.max(1);
        self
    }

    /// Fails `times` consecutive matching requests.
    pub fn times(mut self, times: u64) -> Self {
        self.times = times;
        self
    }

    /// Counts only requests for this connected account.
    pub fn for_account(mut self, account: impl Into<String>) -> Self {
        self.account = Some(account.into());
        self
    }

    fn matches(&self, path: &str, account: Option<&str>) -> bool {
        let path_matches = match self.path.strip_suffix('*') {
            Some(prefix) => path.starts_with(prefix),
            None => path == self.path,
        };
        let account_matches = match &self.account {
            Some(wanted) => account == Some(wanted.as_str()),
            None => true,
        };
        path_matches && account_matches
    }
}

/// Probabilities (0.0..=1.0) of random faults per API request. All zero by default.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FaultRates {
    /// Probability of a 500.
    pub server_error: f64,
    /// Probability of a dropped connection.
    pub drop_connection: f64,
    /// Probability of a slow response.
    pub slow: f64,
    /// Probability of a truncated body.
    pub truncated_body: f64,
    /// The delay of a slow response.
    pub slow_delay: Duration,
}

impl FaultRates {
    fn any(&self) -> bool {
        self.server_error > 0.0
            || self.drop_connection > 0.0
            || self.slow > 0.0
            || self.truncated_body > 0.0
    }
}

#[derive(Debug)]
struct ScriptedRule {
    rule: FaultRule,
    seen: u64,
}

/// Decides, request by request, which fault (if any) to inject.
#[derive(Debug)]
pub(crate) struct FaultInjector {
    rules: Vec<ScriptedRule>,
    rates: FaultRates,
    rng: StdRng,
}

impl FaultInjector {
    pub(crate) fn new(seed: u64, rates: FaultRates) -> Self {
        Self {
            rules: Vec::new(),
            rates,
            rng: StdRng::seed_from_u64(seed ^ 0xFA17_FA17),
        }
    }

    pub(crate) fn add_rule(&mut self, rule: FaultRule) {
        self.rules.push(ScriptedRule { rule, seen: 0 });
    }

    pub(crate) fn clear(&mut self) {
        self.rules.clear();
        self.rates = FaultRates::default();
    }

    pub(crate) fn set_rates(&mut self, rates: FaultRates) {
        self.rates = rates;
    }

    /// The fault for the next request to `path`, counting it against every matching rule.
    pub(crate) fn decide(&mut self, path: &str, account: Option<&str>) -> Option<Fault> {
        let mut chosen = None;
        for scripted in &mut self.rules {
            if !scripted.rule.matches(path, account) {
                continue;
            }
            scripted.seen += 1;
            let first = scripted.rule.nth;
            let last = first.saturating_add(scripted.rule.times);
            if chosen.is_none() && scripted.seen >= first && scripted.seen < last {
                chosen = Some(scripted.rule.fault);
            }
        }
        if chosen.is_some() || !self.rates.any() {
            return chosen;
        }
        let draw: f64 = self.rng.gen();
        let rates = self.rates;
        let slow = Fault::Slow {
            millis: u64::try_from(rates.slow_delay.as_millis()).unwrap_or(u64::MAX),
        };
        let mut threshold = 0.0;
        for (rate, fault) in [
            (rates.server_error, Fault::ServerError),
            (rates.drop_connection, Fault::DropConnection),
            (rates.slow, slow),
            (rates.truncated_body, Fault::TruncatedBody),
        ] {
            threshold += rate;
            if draw < threshold {
                return Some(fault);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripted_rule_fails_exactly_the_nth_matching_requests() {
        let mut injector = FaultInjector::new(1, FaultRates::default());
        injector.add_rule(
            FaultRule::new("/v1/charges", Fault::ServerError)
                .on_request(3)
                .times(2),
        );
        let got: Vec<_> = (0..6)
            .map(|_| {
                injector.decide("/v1/customers", None);
                injector.decide("/v1/charges", Some("acct_1"))
            })
            .collect();
        assert_eq!(
            got,
            [
                None,
                None,
                Some(Fault::ServerError),
                Some(Fault::ServerError),
                None,
                None
            ]
        );
    }

    #[test]
    fn random_faults_repeat_under_a_seed() {
        let rates = FaultRates {
            server_error: 0.3,
            ..FaultRates::default()
        };
        let run = |seed| {
            let mut injector = FaultInjector::new(seed, rates);
            (0..50)
                .map(|_| injector.decide("/v1/charges", None).is_some())
                .collect::<Vec<_>>()
        };
        assert_eq!(run(5), run(5));
        let failures = run(5).iter().filter(|failed| **failed).count();
        assert!((5..30).contains(&failures), "{failures}");
    }
}
