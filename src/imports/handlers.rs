//! HTTP surface of imports: a file checked (a dry run, by default) or imported, a stored
//! import read back, and the units template.

use actix_multipart::Multipart;
use actix_web::{get, post, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::model::{Import, ImportForm, ImportReport, Kind};
use super::{sheet, store, template, By, Outcome, Quiet, Request};
use crate::db::schema::communities;
use crate::domain::access::{Caller, Permission};
use crate::domain::validate::Problems;
use crate::domain::{Id, Role};
use crate::error::{ApiError, ApiResult, Problem};
use crate::export::FileFormat;
use crate::http::idempotent;
use crate::http::multipart::{self, declared_length, is_form_data, unreadable};
use crate::http::paced::Paced;
use crate::http::{download, State};

/// The largest file an import takes.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// Room for the multipart framing and the small parts beyond the file itself.
const MULTIPART_OVERHEAD: usize = 16 * 1024;

/// The longest small part read (`id`, `dry_run`, `partial`).
const MAX_TEXT_PART: usize = 128;

/// Check a file of units, or import it (multipart/form-data: `file`, `dry_run`, `partial`,
/// `id`). A dry run (the default: a click on a page must not write) checks every row and
/// answers the report, writing nothing. `dry_run=false` imports: with any row error
/// nothing is written (422 naming each row and column) unless `partial=true`, which
/// writes the good rows and reports the others. Idempotent on `id`.
///
/// Columns are found by their header, Chinese or English: 单位名称 / `name`, 社区 /
/// `community` (a community's name or code), 类型 / `kind`, 地址 / `address`,
/// 统一社会信用代码 / `credit_code`, 联系人 / `contact_name`, 联系电话 / `contact_phone`,
/// 纬度 / `latitude`, 经度 / `longitude`. A row matches a unit by its credit code, else by
/// community, name and address; a match is updated in the columns given (a blank cell
/// changes nothing), otherwise a unit is created. Every rule of `POST /units` applies.
#[utoipa::path(
    tag = "imports", operation_id = "import_units",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "A dry run's report (nothing written), or the import applied before under this id", body = ImportReport),
        (status = 201, description = "Imported", body = ImportReport),
        (status = 400, description = "The multipart body is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id was used for another import, or units changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than 20 MiB or has more than 50,000 rows", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data, or an .xls workbook", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad part or an unreadable file; or row errors in an import without `partial` (each as `rows[<row>].<column>`)", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/units")]
pub async fn import_units(
    state: State,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageUnits)?;
    import(state, caller, req, payload, Kind::Units).await
}

/// Check a file of communities (名称 / `name`, 代码 / `code`), or import it; admins only.
/// The same form and answers as `POST /imports/units`; a row matches a community by its
/// code.
#[utoipa::path(
    tag = "imports", operation_id = "import_communities",
    request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "A dry run's report (nothing written), or the import applied before under this id", body = ImportReport),
        (status = 201, description = "Imported", body = ImportReport),
        (status = 400, description = "The multipart body is malformed", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "The id was used for another import, or communities changed meanwhile", body = Problem, content_type = "application/problem+json"),
        (status = 413, description = "The file is larger than 20 MiB or has more than 50,000 rows", body = Problem, content_type = "application/problem+json"),
        (status = 415, description = "Not multipart/form-data, or an .xls workbook", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "A bad part or an unreadable file; or row errors in an import without `partial`", body = Problem, content_type = "application/problem+json"),
    )
)]
#[post("/imports/communities")]
pub async fn import_communities(
    state: State,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageCatalog)?;
    import(state, caller, req, payload, Kind::Communities).await
}

/// An applied import with its report. Admins see every import, others their own.
#[utoipa::path(
    tag = "imports", operation_id = "get_import",
    params(("id" = Id, Path, description = "Import id")),
    responses(
        (status = 200, body = Import),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/imports/{id}")]
pub async fn get_one(state: State, caller: Caller, id: web::Path<Id>) -> ApiResult<web::Json<Import>> {
    let id = id.into_inner();
    let sees_every_import = caller.role == Role::Admin;
    let actor = caller.actor();
    let import = state
        .db(move |conn| store::get(conn, id, &By { scope: &caller.scope, actor: &actor, sees_every_import }))
        .await?;
    Ok(web::Json(import))
}

/// The units template: the header row, an example row, and drop-down lists on 类型 and
/// on 社区 (the caller's communities).
#[utoipa::path(
    tag = "imports", operation_id = "import_units_template",
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
    )
)]
#[get("/imports/units/template.xlsx")]
pub async fn units_template(state: State, caller: Caller) -> ApiResult<HttpResponse> {
    caller.require(Permission::ManageUnits)?;
    let scope = caller.scope.clone();
    let names: Vec<String> = state
        .db(move |conn| {
            let mut q = communities::table.select(communities::name).order(communities::name.asc()).into_boxed();
            if let Some(ids) = scope.restriction() {
                q = q.filter(communities::id.eq_any(ids.to_vec()));
            }
            Ok(q.load(conn)?)
        })
        .await?;
    let bytes = web::block(move || template::units(&names)).await??;
    let xlsx = FileFormat::Xlsx;
    Ok(HttpResponse::Ok()
        .content_type(xlsx.content_type())
        .insert_header(download::attachment("单位导入模板.xlsx"))
        .body(bytes))
}

/// The form as read off the wire.
struct Form {
    bytes: Vec<u8>,
    sha256: String,
    file_name: Option<String>,
    dry_run: bool,
    partial: bool,
    id: Option<Id>,
}

async fn import(
    state: State,
    caller: Caller,
    req: HttpRequest,
    payload: web::Payload,
    kind: Kind,
) -> ApiResult<HttpResponse> {
    if declared_length(&req).is_some_and(|n| n > MAX_IMPORT_BYTES.saturating_add(MULTIPART_OVERHEAD)) {
        return Err(ApiError::PayloadTooLarge(MAX_IMPORT_BYTES));
    }
    let form = receive(&req, multipart::paced(payload, &state)).await?;
    // Reading and checking a file takes memory in proportion to it: as many at once as
    // reports are built.
    let _permit =
        state.report_builds.acquire().await.map_err(|e| ApiError::internal("the build queue is closed", e))?;
    let Form { bytes, sha256, file_name, dry_run, partial, id } = form;
    let sheet = web::block(move || sheet::read(&bytes)).await??;
    let hash = super::request_hash(kind, &sha256, partial);
    let request = Request { kind, sheet, dry_run, partial, id, file_name, hash: hash.clone() };
    let now = state.clock.now();
    let sees_every_import = caller.role == Role::Admin;
    let actor = caller.actor();
    let outcome = {
        let (scope, actor) = (caller.scope.clone(), actor.clone());
        state
            .db(move |conn| {
                super::run(conn, request, &By { scope: &scope, actor: &actor, sees_every_import }, now, &Quiet)
            })
            .await
    };
    let result = match outcome {
        Ok(Outcome::Checked(report)) => return Ok(HttpResponse::Ok().json(report)),
        Ok(Outcome::Refused(report)) => return Err(super::refusal(&report)),
        Ok(Outcome::Applied(stored, report)) => Ok((stored, report)),
        Err(e) => Err(e),
    };
    // An identical import that committed first makes this one fail on the id.
    let lost_race = |e: &ApiError| matches!(e, ApiError::Conflict(_));
    let replay = |id| {
        state.db(move |conn| {
            store::replay(conn, id, &hash, &By { scope: &caller.scope, actor: &actor, sees_every_import })
        })
    };
    Ok(idempotent::respond(idempotent::settle(result, id, lost_race, replay).await?))
}

/// Reads the form: the file (at most [`MAX_IMPORT_BYTES`]) and the small parts.
async fn receive(req: &HttpRequest, payload: Paced<web::Payload>) -> ApiResult<Form> {
    if !is_form_data(req) {
        return Err(ApiError::UnsupportedMediaType("the request body must be multipart/form-data".into()));
    }
    let mut parts = Multipart::new(req.headers(), payload);
    let mut file: Option<(Vec<u8>, Option<String>)> = None;
    let mut texts: [(&str, Option<Option<String>>); 3] = [("dry_run", None), ("partial", None), ("id", None)];
    while let Some(field) = parts.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            if file.is_some() {
                return Err(ApiError::field("file", "duplicate", "send one `file` part"));
            }
            let file_name = multipart::file_name(&field).and_then(|n| crate::attachments::model::clean_file_name(&n));
            let mut bytes = Vec::new();
            while let Some(chunk) = field.next().await {
                let chunk = chunk.map_err(unreadable)?;
                if bytes.len() + chunk.len() > MAX_IMPORT_BYTES {
                    return Err(ApiError::PayloadTooLarge(MAX_IMPORT_BYTES));
                }
                bytes.extend_from_slice(&chunk);
            }
            file = Some((bytes, file_name));
            continue;
        }
        let Some(slot) = texts.iter_mut().find(|(n, _)| *n == name) else {
            return Err(ApiError::field(
                name,
                "unknown_field",
                "only `file`, `dry_run`, `partial` and `id` parts are accepted",
            ));
        };
        if slot.1.is_some() {
            return Err(ApiError::field(name, "duplicate", format!("send one `{}` part", slot.0)));
        }
        slot.1 = Some(multipart::read_text(&mut field, MAX_TEXT_PART).await?);
    }
    let mut p = Problems::new();
    let [(_, dry_run), (_, partial), (_, id)] = texts;
    let mut flag = |name: &str, value: Option<Option<String>>, default: bool| match value {
        None => default,
        Some(Some(v)) if v == "true" => true,
        Some(Some(v)) if v == "false" => false,
        Some(_) => {
            p.push(name, "invalid", "must be `true` or `false`");
            default
        }
    };
    let dry_run = flag("dry_run", dry_run, true);
    let partial = flag("partial", partial, false);
    let id = match id {
        None => None,
        Some(text) => {
            let parsed = text.and_then(|t| t.parse::<Id>().ok());
            if parsed.is_none() {
                p.push("id", "invalid", "the id must be a UUID");
            }
            parsed
        }
    };
    match &file {
        None => p.push("file", "required", "a `file` part is required"),
        Some((bytes, _)) if bytes.is_empty() => p.push("file", "empty", "the file is empty"),
        Some(_) => {}
    }
    p.into_result()?;
    let (bytes, file_name) = file.ok_or_else(|| ApiError::field("file", "required", "a `file` part is required"))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    Ok(Form { bytes, sha256, file_name, dry_run, partial, id })
}
