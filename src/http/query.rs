//! The query-string extractor: a bad or unknown filter is a 422 naming the parameter.

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use std::future::{ready, Ready};

use crate::error::{ApiError, FieldError};

pub struct QueryParams<T>(pub T);

impl<T: DeserializeOwned> FromRequest for QueryParams<T> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_query(req.query_string()).map(QueryParams).map_err(Into::into))
    }
}

pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize(de).map_err(|err| {
        let field = err.path().to_string();
        let message = err.into_inner().to_string();
        let code = if message.starts_with("unknown field") {
            "unknown_parameter"
        } else if message.starts_with("unknown variant") {
            "invalid_choice"
        } else {
            "invalid"
        };
        let field = if field == "." { String::new() } else { field };
        ApiError::Validation(vec![FieldError::new(field, code, message)])
    })
}
