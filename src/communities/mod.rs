//! Communities (社区): the areas of the subdistrict every unit belongs to.

pub mod handlers;
pub mod model;
pub mod store;
