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

/// Paths anyone may call without a token.
const PUBLIC: &[&str] = &["/healthz", "/readyz", "/api/v1/auth/login"];

/// Declares the bearer scheme, and on every operation that needs a token, the
/// requirement and its 401 and 403 answers; on every operation that reads a request
/// body, the answers of the body extractors (400, 413, 415).
pub fn finish(mut doc: Document) -> Document {
    use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
    let components = doc.components.get_or_insert_with(Default::default);
    components.add_security_scheme(
        "bearer",
        SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).bearer_format("opaque").build()),
    );
    for (path, item) in doc.paths.paths.iter_mut() {
        let public = PUBLIC.contains(&path.as_str());
        for op in
            [&mut item.get, &mut item.post, &mut item.put, &mut item.patch, &mut item.delete].into_iter().flatten()
        {
            if op.request_body.is_some() {
                let responses = &mut op.responses.responses;
                responses.entry("400".into()).or_insert_with(|| problem("The request body is not readable"));
                responses.entry("413".into()).or_insert_with(|| problem("The request body is too large"));
                responses
                    .entry("415".into())
                    .or_insert_with(|| problem("The request body is not of a content type this operation accepts"));
            }
            if public {
                op.security = Some(Vec::new());
                continue;
            }
            op.security = Some(vec![SecurityRequirement::new("bearer", Vec::<String>::new())]);
            op.responses.responses.entry("401".into()).or_insert_with(|| problem("No valid bearer token"));
            op.responses.responses.entry("403".into()).or_insert_with(|| {
                problem(
                    "The caller's role may not do this, or the caller must change their password first \
                     (`/problems/password-change-required`)",
                )
            });
        }
    }
    doc
}

fn problem(description: &str) -> utoipa::openapi::RefOr<utoipa::openapi::Response> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build(),
        )
        .into()
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
