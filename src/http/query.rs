//! The query-string extractors: a bad or unknown filter is a 422 naming the parameter.

use actix_web::{dev::Payload, FromRequest, HttpRequest};
use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::{Deserialize, Deserializer};
use std::future::{ready, Ready};

use super::page::Paging;
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

/// A list's query string: its filters `F` (the same ones its export takes), and the page
/// asked for ([`Paging`]). Each parameter goes to the one that takes it; an unknown one is
/// refused by `F`.
pub struct ListQuery<F> {
    pub filter: F,
    pub paging: Paging,
}

impl<F: DeserializeOwned> FromRequest for ListQuery<F> {
    type Error = actix_web::Error;
    type Future = Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(parse_list_query(req.query_string()).map_err(Into::into))
    }
}

pub fn parse_list_query<F: DeserializeOwned>(query: &str) -> Result<ListQuery<F>, ApiError> {
    let (paging, filters): (Vec<_>, Vec<_>) =
        form_urlencoded::parse(query.as_bytes()).partition(|(k, _)| Paging::KEYS.contains(&k.as_ref()));
    let encode = |pairs: Vec<(std::borrow::Cow<'_, str>, std::borrow::Cow<'_, str>)>| {
        form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
    };
    Ok(ListQuery { filter: parse_query(&encode(filters))?, paging: parse_query(&encode(paging))? })
}

/// Reads a comma-separated list of values (`status=open,pending_verification`), each as
/// the value alone would be read.
pub fn comma_list<'de, D, T>(d: D) -> Result<Option<Vec<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: DeserializeOwned,
{
    let Some(text) = Option::<String>::deserialize(d)? else {
        return Ok(None);
    };
    text.split(',')
        .map(|item| T::deserialize(item.trim().into_deserializer()))
        .collect::<Result<Vec<T>, serde::de::value::Error>>()
        .map(Some)
        .map_err(serde::de::Error::custom)
}
