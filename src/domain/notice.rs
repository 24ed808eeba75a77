//! Which deadline notice a hazard is owed, who receives it and what it says.

use chrono::NaiveDate;

use super::hazard::Ladder;
use super::{HazardStatus, NotificationKind};

/// The notice a hazard is owed on `today`: `overdue` at its escalation level when past
/// its deadline, `due_soon` (level 0) when due soon, none otherwise. Only the highest step
/// reached counts: a scheduler that was stopped for days writes that one, not the steps
/// it missed.
pub fn owed(
    ladder: &Ladder,
    status: HazardStatus,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
) -> Option<(NotificationKind, i32)> {
    match ladder.escalation(status, deadline, today) {
        0 if ladder.due_soon(status, deadline, today) => Some((NotificationKind::DueSoon, 0)),
        0 => None,
        level => Some((NotificationKind::Overdue, level)),
    }
}

/// The rank of a (kind, level) on one deadline's ladder: a notice is written only when it
/// ranks above every one written for the deadline.
pub fn rank(kind: NotificationKind, level: i32) -> i32 {
    match kind {
        NotificationKind::DueSoon => 0,
        NotificationKind::Overdue => level,
        NotificationKind::WebhookDisabled => i32::MAX,
    }
}

/// Who receives a deadline notice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Audience {
    /// The account that recorded the inspection.
    pub recorder: bool,
    /// The active supervisors whose scope holds the hazard's community.
    pub supervisors: bool,
    /// Every active admin.
    pub admins: bool,
}

/// `due_soon` and level 1: the recorder and the supervisors; level 2: the supervisors;
/// level 3 and above: the supervisors and the admins.
pub fn audience(kind: NotificationKind, level: i32) -> Audience {
    match (kind, level) {
        (NotificationKind::DueSoon, _) | (NotificationKind::Overdue, ..=1) => {
            Audience { recorder: true, supervisors: true, admins: false }
        }
        (NotificationKind::Overdue, 2) => Audience { recorder: false, supervisors: true, admins: false },
        (NotificationKind::Overdue, _) => Audience { recorder: false, supervisors: true, admins: true },
        (NotificationKind::WebhookDisabled, _) => Audience { recorder: false, supervisors: false, admins: true },
    }
}

/// The Chinese sentence of a deadline notice about a hazard of `unit`.
pub fn message(
    kind: NotificationKind,
    level: i32,
    unit: &str,
    description: &str,
    deadline: Option<NaiveDate>,
) -> String {
    let what = format!("{unit}的隐患“{}”", clip(description, 40));
    let by = deadline.map(|d| d.format("%Y年%m月%d日").to_string()).unwrap_or_default();
    match kind {
        NotificationKind::DueSoon => format!("{what}将于{by}到期，请督促按期整改。"),
        NotificationKind::Overdue => match level {
            ..=1 => format!("{what}已超过整改期限（{by}），请尽快督促整改。"),
            2 => format!("{what}逾期未整改（期限{by}），已升级为二级督办。"),
            _ => format!("{what}逾期未整改（期限{by}），已升级为三级督办，请领导关注。"),
        },
        NotificationKind::WebhookDisabled => format!("{what}相关推送已停用。"),
    }
}

/// The Chinese sentence of a webhook switched off.
pub fn webhook_disabled_message(url: &str) -> String {
    format!("Webhook 订阅（{}）连续 3 天推送失败，已自动停用，请检查接收方后重新启用。", clip(url, 120))
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        text.to_string()
    } else {
        let mut s: String = text.chars().take(chars).collect();
        s.push('…');
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn only_the_highest_step_is_owed() {
        let l = Ladder::default();
        let today = d("2026-11-25");
        let open = HazardStatus::Open;
        assert_eq!(owed(&l, open, Some(d("2026-11-30")), today), None);
        assert_eq!(owed(&l, open, Some(d("2026-11-27")), today), Some((NotificationKind::DueSoon, 0)));
        assert_eq!(owed(&l, open, Some(d("2026-11-24")), today), Some((NotificationKind::Overdue, 1)));
        assert_eq!(owed(&l, open, Some(d("2026-11-01")), today), Some((NotificationKind::Overdue, 3)));
        assert_eq!(owed(&l, HazardStatus::Closed, Some(d("2026-11-01")), today), None);
        assert!(rank(NotificationKind::DueSoon, 0) < rank(NotificationKind::Overdue, 1));
    }

    #[test]
    fn the_audience_widens_with_the_level() {
        assert!(audience(NotificationKind::DueSoon, 0).recorder);
        assert!(audience(NotificationKind::Overdue, 1).recorder);
        assert_eq!(
            audience(NotificationKind::Overdue, 2),
            Audience { recorder: false, supervisors: true, admins: false }
        );
        assert!(audience(NotificationKind::Overdue, 3).admins);
        assert!(message(NotificationKind::Overdue, 3, "金茂饭店", "燃气软管老化", Some(d("2026-11-20")))
            .contains("三级督办"));
    }
}
