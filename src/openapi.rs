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

/// The methods the document declares for a concrete request path (`{x}` matches one segment).
pub fn methods_for(doc: &Document, path: &str) -> Vec<String> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let mut methods = Vec::new();
    for (template, item) in doc.paths.paths.iter() {
        let parts: Vec<&str> = template.trim_end_matches('/').split('/').collect();
        let matches = parts.len() == segments.len()
            && parts.iter().zip(&segments).all(|(t, s)| (t.starts_with('{') && !s.is_empty()) || t == s);
        if matches {
            let ops = [
                ("GET", item.get.is_some()),
                ("POST", item.post.is_some()),
                ("PUT", item.put.is_some()),
                ("PATCH", item.patch.is_some()),
                ("DELETE", item.delete.is_some()),
            ];
            methods.extend(ops.iter().filter(|(_, present)| *present).map(|(m, _)| m.to_string()));
        }
    }
    methods.sort();
    methods.dedup();
    methods
}
