//! How the office names things in reports: Chinese by default, English on request.

use super::{HazardCategory, HazardLevel, HazardStatus, UnitKind};

pub fn category(c: HazardCategory, en: bool) -> &'static str {
    use HazardCategory::*;
    match (c, en) {
        (Gas, false) => "燃气",
        (Gas, true) => "Gas",
        (FireSeparation, false) => "防火分隔",
        (FireSeparation, true) => "Fire separation",
        (Electrical, false) => "电气",
        (Electrical, true) => "Electrical",
        (Evacuation, false) => "疏散通道",
        (Evacuation, true) => "Evacuation",
        (FireEquipment, false) => "消防设施",
        (FireEquipment, true) => "Fire equipment",
        (HazardousChemicals, false) => "危险化学品",
        (HazardousChemicals, true) => "Hazardous chemicals",
        (Structural, false) => "建筑结构",
        (Structural, true) => "Structural",
        (Occupational, false) => "职业健康",
        (Occupational, true) => "Occupational",
        (Other, false) => "其他",
        (Other, true) => "Other",
    }
}

pub fn level(l: HazardLevel, en: bool) -> &'static str {
    match (l, en) {
        (HazardLevel::General, false) => "一般",
        (HazardLevel::General, true) => "General",
        (HazardLevel::Major, false) => "重大",
        (HazardLevel::Major, true) => "Major",
    }
}

pub fn unit_kind(k: UnitKind, en: bool) -> &'static str {
    use UnitKind::*;
    match (k, en) {
        (Restaurant, false) => "餐饮",
        (Restaurant, true) => "Restaurant",
        (Shop, false) => "商铺",
        (Shop, true) => "Shop",
        (Factory, false) => "工厂",
        (Factory, true) => "Factory",
        (Warehouse, false) => "仓库",
        (Warehouse, true) => "Warehouse",
        (ConstructionSite, false) => "建筑工地",
        (ConstructionSite, true) => "Construction site",
        (Hotel, false) => "旅馆",
        (Hotel, true) => "Hotel",
        (Market, false) => "市场",
        (Market, true) => "Market",
        (Other, false) => "其他",
        (Other, true) => "Other",
    }
}

pub fn status(s: HazardStatus, en: bool) -> &'static str {
    use HazardStatus::*;
    match (s, en) {
        (Open, false) => "待整改",
        (Open, true) => "Open",
        (PendingVerification, false) => "待复查",
        (PendingVerification, true) => "Pending verification",
        (Closed, false) => "已整改",
        (Closed, true) => "Closed",
        (Voided, false) => "已作废",
        (Voided, true) => "Voided",
    }
}

/// Enforcement measures and departments are stored as their snake_case names.
pub fn measure(m: &str, en: bool) -> &'static str {
    match (m, en) {
        ("warning", false) => "警告",
        ("warning", true) => "Warning",
        ("case_transferred", false) => "移交立案",
        ("case_transferred", true) => "Case transferred",
        ("suspension_ordered", false) => "责令停产整顿",
        ("suspension_ordered", true) => "Suspension ordered",
        ("closure", false) => "取缔关闭",
        ("closure", true) => "Closure",
        (_, false) => "其他",
        (_, true) => "Other",
    }
}

pub fn department(d: &str, en: bool) -> &'static str {
    match (d, en) {
        ("police_station", false) => "派出所",
        ("police_station", true) => "Police station",
        ("administrative_enforcement", false) => "综合行政执法",
        ("administrative_enforcement", true) => "Administrative enforcement",
        ("market_supervision", false) => "市场监管",
        ("market_supervision", true) => "Market supervision",
        ("emergency_management", false) => "应急管理",
        ("emergency_management", true) => "Emergency management",
        ("urban_management", false) => "城市管理",
        ("urban_management", true) => "Urban management",
        ("fire", false) => "消防",
        ("fire", true) => "Fire",
        (_, false) => "其他",
        (_, true) => "Other",
    }
}

pub fn no_campaign(en: bool) -> &'static str {
    if en {
        "No campaign"
    } else {
        "无专项行动"
    }
}
