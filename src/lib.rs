//! safetrace: safety inspections, the hazards they find and their rectification.
//!
//! The app factory lives here so the binary and the tests build the same application.

pub mod attachments;
pub mod auth;
pub mod backup;
pub mod campaigns;
pub mod cli;
pub mod clock;
pub mod communities;
pub mod config;
pub mod db;
pub mod documents;
pub mod domain;
pub mod enforcement;
pub mod error;
pub mod export;
pub mod feed;
pub mod generate;
pub mod hazard_phrases;
pub mod hazards;
pub mod health;
pub mod http;
pub mod imports;
pub mod inspections;
pub mod notifications;
pub mod openapi;
pub mod ops;
pub mod rectifications;
pub mod reports;
pub mod search;
pub mod supervision;
pub mod tallies;
pub mod tasks;
pub mod tls;
pub mod units;
pub mod users;
pub mod views;
pub mod webapp;
pub mod webhooks;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{web, App};
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

pub use domain::{Id, Moment};
pub use http::AppState;

/// Every API route, registered once: the OpenAPI document is collected from the same calls.
fn api_routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(communities::handlers::create)
        .service(communities::handlers::list)
        .service(communities::handlers::get_one)
        .service(communities::handlers::update)
        .service(units::handlers::create)
        .service(units::handlers::list)
        .service(units::handlers::export_xlsx)
        .service(units::handlers::export_csv)
        .service(units::handlers::get_one)
        .service(units::handlers::update)
        .service(units::handlers::reinstate)
        .service(campaigns::handlers::create)
        .service(campaigns::handlers::list)
        .service(campaigns::handlers::get_one)
        .service(campaigns::handlers::update)
        .service(hazard_phrases::handlers::create)
        .service(hazard_phrases::handlers::list)
        .service(hazard_phrases::handlers::get_one)
        .service(hazard_phrases::handlers::update)
        .service(inspections::handlers::create)
        .service(inspections::handlers::list)
        .service(inspections::handlers::get_one)
        .service(hazards::handlers::list)
        .service(hazards::handlers::export_xlsx)
        .service(hazards::handlers::export_csv)
        .service(hazards::handlers::get_one)
        .service(hazards::handlers::void)
        .service(hazards::handlers::extend_deadline)
        .service(supervision::handlers::put_plan)
        .service(supervision::handlers::create)
        .service(supervision::handlers::correct)
        .service(supervision::handlers::request_lift)
        .service(supervision::handlers::lift)
        .service(rectifications::handlers::submit)
        .service(rectifications::handlers::verify)
        .service(documents::handlers::issue_notice)
        .service(documents::handlers::get_notice)
        .service(documents::handlers::issue_recheck_opinion)
        .service(documents::handlers::get_recheck_opinion)
        .service(reports::handlers::summary)
        .service(reports::handlers::monthly)
        .service(reports::handlers::monthly_xlsx)
        .service(reports::handlers::monthly_csv)
        .service(attachments::handlers::create)
        .service(attachments::handlers::get_one)
        .service(attachments::handlers::content)
        .service(imports::handlers::import_units)
        .service(imports::handlers::import_communities)
        .service(imports::handlers::units_template)
        .service(imports::handlers::get_one)
        .service(enforcement::handlers::create)
        .service(enforcement::handlers::list)
        .service(enforcement::handlers::get_one)
        .service(auth::handlers::login)
        .service(auth::handlers::logout)
        .service(auth::handlers::me)
        .service(auth::handlers::change_password)
        .service(users::handlers::create)
        .service(users::handlers::list)
        .service(users::handlers::get_one)
        .service(users::handlers::update)
        .service(users::handlers::deactivate)
        .service(users::handlers::revoke_tokens)
        .service(users::handlers::unlock)
        .service(tasks::handlers::list)
        .service(tasks::handlers::counts)
        .service(notifications::handlers::list)
        .service(notifications::handlers::read_all)
        .service(notifications::handlers::read)
        .service(feed::handlers::list)
        .service(webhooks::handlers::create)
        .service(webhooks::handlers::list)
        .service(webhooks::handlers::get_one)
        .service(webhooks::handlers::update)
        .service(webhooks::handlers::deliveries)
        .service(webhooks::handlers::retry);
}

/// Builds the application and its OpenAPI document.
pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let (app, api) = App::new()
        .into_utoipa_app()
        .openapi(openapi::ApiDoc::openapi())
        .service(health::healthz)
        .service(health::readyz)
        .service(utoipa_actix_web::scope("/api/v1").configure(api_routes))
        .split_for_parts();
    let api = web::Data::new(openapi::finish(api));
    app.app_data(web::Data::new(state))
        .app_data(web::PathConfig::default().error_handler(http::path_error))
        .app_data(api)
        .route("/api/openapi.json", web::get().to(openapi::document))
        .configure(webapp::routes)
        .default_service(web::to(http::no_route))
        .wrap(actix_web::middleware::ErrorHandlers::new().default_handler(http::problem_for_plain_errors))
        .wrap(actix_web::middleware::from_fn(http::headers::security_headers))
        .wrap(tracing_actix_web::TracingLogger::<ops::request::RequestSpan>::new())
        .wrap(actix_web::middleware::from_fn(ops::request::request_context))
}
