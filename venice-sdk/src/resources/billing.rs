//! Billing: `client.billing()`.
//!
//! `GET /billing/usage` is not wrapped: it is deprecated upstream and only
//! answers `410 Gone` (the spec points to `usage_analytics`).

use crate::shape;
use crate::transport::Call;
use crate::{Client, Error, Response, operations, types};

impl Client {
    /// Billing: balances and usage analytics.
    pub fn billing(&self) -> Billing<'_> {
        Billing { client: self }
    }
}

/// Billing: `client.billing()`.
#[derive(Clone, Copy, Debug)]
pub struct Billing<'a> {
    pub(crate) client: &'a Client,
}

/// The period [`Billing::usage_analytics`] covers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum UsagePeriod {
    /// The API's default (the last 7 days).
    #[default]
    Default,
    /// The last `n` days (at most 90).
    Days(u32),
    /// From `start` to `end`, both `YYYY-MM-DD` and included.
    Between {
        /// The first day, `YYYY-MM-DD`.
        start: String,
        /// The last day, `YYYY-MM-DD`.
        end: String,
    },
}

impl UsagePeriod {
    /// The last `n` days (at most 90).
    pub fn days(n: u32) -> Self {
        UsagePeriod::Days(n)
    }

    /// From `start` to `end`, both `YYYY-MM-DD`.
    pub fn between(start: impl Into<String>, end: impl Into<String>) -> Self {
        UsagePeriod::Between {
            start: start.into(),
            end: end.into(),
        }
    }
}

impl Billing<'_> {
    /// The account's balance: whether it can consume, in which currency, the
    /// remaining DIEM and USD balances, and the DIEM allocation of the epoch.
    pub async fn balance(&self) -> Result<Response<types::GetBillingBalanceResponse>, Error> {
        Call::new(&operations::GET_BILLING_BALANCE)
            .json(self.client.config())
            .await
    }

    /// Usage totals over `period`, by day, by model (with token-type
    /// breakdowns) and by API key (beta upstream; cached by Venice for 10
    /// minutes).
    ///
    /// A period the spec's patterns reject (`Days(0)`, a date that is not
    /// `YYYY-MM-DD`) is refused before sending ([`Error::InvalidRequest`]); one
    /// the server refuses (over 90 days) is
    /// [`ApiErrorKind::BadRequest`](crate::ApiErrorKind::BadRequest); a query the
    /// server gives up on is a `504` ([`ApiErrorKind::Timeout`](crate::ApiErrorKind::Timeout)):
    /// ask for a shorter period.
    pub async fn usage_analytics(
        &self,
        period: &UsagePeriod,
    ) -> Result<Response<types::GetBillingUsageAnalyticsResponse>, Error> {
        let call = Call::new(&operations::GET_BILLING_USAGE_ANALYTICS);
        let call = match period {
            UsagePeriod::Default => call,
            UsagePeriod::Days(n) => {
                // Checked by the generated parameter types (their patterns), read
                // from JSON: no trait only a constrained string has is needed.
                let lookback = format!("{n}d");
                shape::convert::<types::GetBillingUsageAnalyticsLookback>("lookback", &lookback)?;
                call.query("lookback", lookback)
            }
            UsagePeriod::Between { start, end } => {
                shape::convert::<types::GetBillingUsageAnalyticsStartDate>("startDate", start)?;
                shape::convert::<types::GetBillingUsageAnalyticsEndDate>("endDate", end)?;
                call.query("startDate", start.as_str())
                    .query("endDate", end.as_str())
            }
        };
        call.json(self.client.config()).await
    }
}
