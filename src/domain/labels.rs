//! How the office names things in reports: Chinese by default, English on request.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{HandlingType, HazardCategory, HazardLevel, HazardStatus, UnitKind};

// The language names are given in (a report's `lang`). No doc comment: utoipa would
// make it the description of the inline `lang` parameters in the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// The Chinese or the English of a name.
    pub fn pick(self, zh: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }

    /// What separates the items of a list: `、` in Chinese, `, ` in English.
    pub fn list_separator(self) -> &'static str {
        self.pick("、", ", ")
    }
}

pub fn category(c: HazardCategory, lang: Lang) -> &'static str {
    use HazardCategory::*;
    let (zh, en) = match c {
        Gas => ("燃气", "Gas"),
        FireSeparation => ("防火分隔", "Fire separation"),
        Electrical => ("电气", "Electrical"),
        Evacuation => ("疏散通道", "Evacuation"),
        FireEquipment => ("消防设施", "Fire equipment"),
        HazardousChemicals => ("危险化学品", "Hazardous chemicals"),
        Structural => ("建筑结构", "Structural"),
        Occupational => ("职业健康", "Occupational"),
        Other => ("其他", "Other"),
    };
    lang.pick(zh, en)
}

pub fn level(l: HazardLevel, lang: Lang) -> &'static str {
    let (zh, en) = match l {
        HazardLevel::General => ("一般", "General"),
        HazardLevel::Major => ("重大", "Major"),
    };
    lang.pick(zh, en)
}

pub fn plan(p: Option<crate::domain::PlanState>, lang: Lang) -> &'static str {
    match p {
        None => lang.pick("无", "None"),
        Some(crate::domain::PlanState::Incomplete) => lang.pick("不完整", "Incomplete"),
        Some(crate::domain::PlanState::Complete) => lang.pick("五到位", "Complete"),
    }
}

pub fn supervision_level(l: crate::domain::SupervisionLevel, lang: Lang) -> &'static str {
    match l {
        crate::domain::SupervisionLevel::County => lang.pick("区县级", "County"),
        crate::domain::SupervisionLevel::City => lang.pick("市级", "City"),
        crate::domain::SupervisionLevel::Province => lang.pick("省级", "Province"),
    }
}

pub fn supervision_state(s: crate::domain::SupervisionState, lang: Lang) -> &'static str {
    match s {
        crate::domain::SupervisionState::Listed => lang.pick("挂牌督办中", "Listed"),
        crate::domain::SupervisionState::LiftRequested => lang.pick("申请摘牌", "Lift requested"),
        crate::domain::SupervisionState::Lifted => lang.pick("已摘牌销号", "Lifted"),
    }
}

pub fn found_by(f: crate::domain::FoundBy, lang: Lang) -> &'static str {
    match f {
        crate::domain::FoundBy::Inspection => lang.pick("检查发现", "Inspection"),
        crate::domain::FoundBy::SelfCheck => lang.pick("企业自查", "Self-check"),
    }
}

pub fn handling_type(h: HandlingType, lang: Lang) -> &'static str {
    let (zh, en) = match h {
        HandlingType::Deadline => ("限期整改", "Rectify by a deadline"),
        HandlingType::OnTheSpot => ("即查即改", "Fixed on the spot"),
    };
    lang.pick(zh, en)
}

pub fn yes_no(b: bool, lang: Lang) -> &'static str {
    match b {
        true => lang.pick("是", "Yes"),
        false => lang.pick("否", "No"),
    }
}

pub fn unit_kind(k: UnitKind, lang: Lang) -> &'static str {
    use UnitKind::*;
    let (zh, en) = match k {
        Restaurant => ("餐饮", "Restaurant"),
        Shop => ("商铺", "Shop"),
        Factory => ("工厂", "Factory"),
        Warehouse => ("仓库", "Warehouse"),
        ConstructionSite => ("建筑工地", "Construction site"),
        Hotel => ("旅馆", "Hotel"),
        Market => ("市场", "Market"),
        Other => ("其他", "Other"),
    };
    lang.pick(zh, en)
}

pub fn status(s: HazardStatus, lang: Lang) -> &'static str {
    use HazardStatus::*;
    let (zh, en) = match s {
        Open => ("待整改", "Open"),
        PendingVerification => ("待复查", "Pending verification"),
        Closed => ("已整改", "Closed"),
        Voided => ("已作废", "Voided"),
    };
    lang.pick(zh, en)
}

/// Enforcement measures and departments are stored as their snake_case names.
pub fn measure(m: &str, lang: Lang) -> &'static str {
    let (zh, en) = match m {
        "warning" => ("警告", "Warning"),
        "case_transferred" => ("移交立案", "Case transferred"),
        "suspension_ordered" => ("责令停产整顿", "Suspension ordered"),
        "closure" => ("取缔关闭", "Closure"),
        _ => ("其他", "Other"),
    };
    lang.pick(zh, en)
}

pub fn department(d: &str, lang: Lang) -> &'static str {
    let (zh, en) = match d {
        "police_station" => ("派出所", "Police station"),
        "administrative_enforcement" => ("综合行政执法", "Administrative enforcement"),
        "market_supervision" => ("市场监管", "Market supervision"),
        "emergency_management" => ("应急管理", "Emergency management"),
        "urban_management" => ("城市管理", "Urban management"),
        "fire" => ("消防", "Fire"),
        _ => ("其他", "Other"),
    };
    lang.pick(zh, en)
}

pub fn no_campaign(lang: Lang) -> &'static str {
    lang.pick("无专项行动", "No campaign")
}
