//! A major hazard's governance: its plan (治理方案, the five items of 五到位) and its formal
//! supervision (挂牌督办) from listing to lifting (摘牌销号). Each step is an event of the
//! hazard, written through `hazards::store::govern`; the rules are `domain::supervision`.

pub mod handlers;
pub mod model;
pub mod store;
