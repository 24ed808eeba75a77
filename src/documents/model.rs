//! Issued documents: rows, what clients see, the snapshots they keep, their numbers.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::documents;
use crate::domain::{HazardCategory, HazardLevel, HazardStatus, Id, Moment, UnitKind, Verdict};
use crate::error::{ApiError, ApiResult};

/// Which paper a document is; each kind has its own number sequence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 安全隐患整改通知书, of an inspection.
    Notice,
    /// 整改复查意见书, of a rectification.
    RecheckOpinion,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Notice => "notice",
            Kind::RecheckOpinion => "recheck_opinion",
        }
    }

    /// What the records call the subject in a 404.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Notice => "notice",
            Kind::RecheckOpinion => "recheck opinion",
        }
    }
}

/// A document's number: `安隐改〔2026〕0007号`.
pub fn number(prefix: &str, year: i32, sequence: i32) -> String {
    format!("{prefix}〔{year}〕{sequence:04}号")
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = documents)]
pub struct DocumentRow {
    pub id: Id,
    pub kind: String,
    /// The inspection (notice) or the rectification (recheck opinion).
    pub subject_id: Id,
    pub community_id: Id,
    pub year: i32,
    pub sequence: i32,
    pub number: String,
    pub issued_at: Moment,
    pub issued_by: Option<Id>,
    pub issued_by_name: String,
    /// JSON: a [`NoticeSnapshot`] or a [`RecheckSnapshot`].
    pub snapshot: String,
}

impl DocumentRow {
    fn snapshot<T: serde::de::DeserializeOwned>(&self) -> ApiResult<T> {
        serde_json::from_str(&self.snapshot)
            .map_err(|e| ApiError::internal(&format!("corrupt snapshot stored for document {}", self.id), e))
    }
}

/// The unit a document is addressed to, as it was when issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaperUnit {
    pub id: Id,
    pub name: String,
    pub kind: UnitKind,
    pub address: String,
    /// 统一社会信用代码.
    pub credit_code: Option<String>,
    /// The unit's responsible person (负责人).
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    pub community_id: Id,
    pub community_name: String,
}

/// A hazard as a document states it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PaperHazard {
    pub id: Id,
    pub category: HazardCategory,
    pub level: HazardLevel,
    pub description: String,
    /// 法律依据.
    pub legal_basis: Option<String>,
    /// 整改期限 (deadline hazards).
    pub deadline: Option<NaiveDate>,
    pub responsible_person: Option<String>,
    /// What was done on the spot (on-the-spot hazards).
    pub note: Option<String>,
    pub status: HazardStatus,
}

/// What a 安全隐患整改通知书 says, as it was when issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NoticeSnapshot {
    /// The issuing office (`SAFETRACE_OFFICE_NAME`).
    pub office_name: String,
    /// The office's telephone (`SAFETRACE_OFFICE_PHONE`).
    pub office_phone: String,
    pub unit: PaperUnit,
    pub inspected_at: Moment,
    /// `inspected_at`'s date in the office's time zone.
    pub inspected_on: NaiveDate,
    pub inspectors: Vec<String>,
    /// 党政带队.
    pub leader_led: bool,
    /// The hazards to rectify by their deadline (voided ones left out).
    pub deadline_hazards: Vec<PaperHazard>,
    /// The hazards fixed during the visit (即查即改), stated as already fixed.
    pub on_the_spot_hazards: Vec<PaperHazard>,
}

/// What a 整改复查意见书 says, as it was when issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecheckSnapshot {
    pub office_name: String,
    pub office_phone: String,
    pub unit: PaperUnit,
    pub hazard: PaperHazard,
    /// When the hazard was found.
    pub found_at: Moment,
    /// The 整改通知书 that ordered the rectification, when one was issued.
    pub notice_number: Option<String>,
    /// What the unit did (整改措施).
    pub measures: String,
    pub responsible_person: Option<String>,
    /// 整改资金, yuan.
    pub cost: Option<f64>,
    pub completed_at: Moment,
    /// 通过 (pass) or 不通过 (reject).
    pub outcome: Verdict,
    pub comment: Option<String>,
    pub verified_by: Option<Id>,
    /// The verifier's display name (复查人).
    pub verified_by_name: String,
    pub verified_at: Moment,
    /// `verified_at`'s date in the office's time zone (复查日期).
    pub verified_on: NaiveDate,
}

/// A 安全隐患整改通知书 as issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Notice {
    pub id: Id,
    /// `<prefix>〔YYYY〕NNNN号`, e.g. `安隐改〔2026〕0001号`.
    #[schema(example = "安隐改〔2026〕0001号")]
    pub number: String,
    /// The office's year of issue.
    pub year: i32,
    /// The number within the year, from 1, without gaps.
    #[schema(minimum = 1)]
    pub sequence: i32,
    pub inspection_id: Id,
    pub issued_at: Moment,
    /// The user who issued it.
    pub issued_by: Option<Id>,
    pub issued_by_name: String,
    pub snapshot: NoticeSnapshot,
}

impl Notice {
    pub fn from_row(row: DocumentRow) -> ApiResult<Self> {
        let snapshot = row.snapshot()?;
        Ok(Notice {
            id: row.id,
            number: row.number,
            year: row.year,
            sequence: row.sequence,
            inspection_id: row.subject_id,
            issued_at: row.issued_at,
            issued_by: row.issued_by,
            issued_by_name: row.issued_by_name,
            snapshot,
        })
    }
}

/// A 整改复查意见书 as issued.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecheckOpinion {
    pub id: Id,
    /// `<prefix>〔YYYY〕NNNN号`, e.g. `安隐复〔2026〕0001号`.
    #[schema(example = "安隐复〔2026〕0001号")]
    pub number: String,
    pub year: i32,
    #[schema(minimum = 1)]
    pub sequence: i32,
    pub rectification_id: Id,
    pub hazard_id: Id,
    pub issued_at: Moment,
    pub issued_by: Option<Id>,
    pub issued_by_name: String,
    pub snapshot: RecheckSnapshot,
}

impl RecheckOpinion {
    pub fn from_row(row: DocumentRow) -> ApiResult<Self> {
        let snapshot: RecheckSnapshot = row.snapshot()?;
        Ok(RecheckOpinion {
            id: row.id,
            number: row.number,
            year: row.year,
            sequence: row.sequence,
            rectification_id: row.subject_id,
            hazard_id: snapshot.hazard.id,
            issued_at: row.issued_at,
            issued_by: row.issued_by,
            issued_by_name: row.issued_by_name,
            snapshot,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_prefix_year_and_four_digits() {
        assert_eq!(number("安隐改", 2026, 7), "安隐改〔2026〕0007号");
        assert_eq!(number("安隐复", 2027, 12345), "安隐复〔2027〕12345号");
    }
}
