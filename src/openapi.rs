//! The OpenAPI document, collected from the handlers' annotations.

use actix_web::{web, HttpResponse};
use utoipa::openapi::OpenApi as Document;
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "safetrace",
        description = "Safety inspections, hazards and their rectification for a subdistrict safety office."
    ),
    components(schemas(crate::error::Problem, crate::error::FieldError))
)]
pub struct ApiDoc;

/// Final touches on the collected document.
pub fn finish(doc: Document) -> Document {
    doc
}

pub async fn document(doc: web::Data<Document>) -> HttpResponse {
    HttpResponse::Ok().json(doc.get_ref())
}
