//! Views that join several resources into what one answer shows. A resource module
//! never imports another that imports it back; a view composed of both lives here, and
//! the handlers of either call it.

pub mod hazard_detail;

pub use hazard_detail::HazardDetail;
