//! HTTP surface of reports.

use actix_web::{get, web, HttpResponse};

use super::model::{
    check_period, month_range, Filter, Monthly, MonthlyCsvQuery, MonthlyQuery, Period, Summary, SummaryQuery,
};
use super::monthly::{self as report, Format, Request};
use super::store::{self, Method};
use super::tables::Paper;
use crate::db::deadline::read_snapshot_within;
use crate::domain::access::Caller;
use crate::domain::labels::Lang;
use crate::domain::time::local_date;
use crate::error::{ApiError, ApiResult, Problem};
use crate::export::FileFormat;
use crate::http::download;
use crate::http::query::QueryParams;
use crate::http::State;

/// Counters for a period, in total, for leader-led inspections, for joint enforcement,
/// and per group; reproducible "as of" any moment.
#[utoipa::path(
    tag = "reports", operation_id = "report_summary",
    params(SummaryQuery),
    responses(
        (status = 200, body = Summary),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/summary")]
pub async fn summary(state: State, caller: Caller, query: QueryParams<SummaryQuery>) -> ApiResult<web::Json<Summary>> {
    let q = query.0;
    let now = state.clock.now();
    check_period(q.from, q.to, q.as_of, now, state.config.clock_skew_seconds)?;
    let as_of = q.as_of.unwrap_or(now);
    let filter = Filter {
        from: q.from,
        to: q.to,
        as_of,
        as_of_date: local_date(as_of, state.config.timezone),
        tz: state.config.timezone,
        community_id: q.community_id,
        unit_kind: q.unit_kind,
        category: q.category,
        campaign_id: q.campaign_id,
        scope: caller.scope.restriction().map(<[_]>::to_vec),
        leader_led_only: false,
    };
    let group = q.group_by;
    let limit = state.config.report_timeout;
    let _permit = crate::ops::metrics::summary_permit(&state).await?;
    let summary = state
        .db(move |conn| {
            read_snapshot_within(conn, limit, |conn| {
                let groups: Vec<_> = group.into_iter().collect();
                let figures = store::figures(conn, &filter, &groups, Method::Counters, Lang::Zh)?;
                let enforcement = store::enforcement(conn, &filter)?;
                Ok(Summary {
                    period: Period { from: filter.from, to: filter.to, as_of: filter.as_of },
                    totals: figures.totals,
                    leader_led: figures.leader_led,
                    enforcement,
                    group_by: group,
                    rows: figures.rows.into_iter().next().unwrap_or_default(),
                })
            })
        })
        .await?;
    Ok(web::Json(summary))
}

/// Builds the month's report in `format` into a temporary file, once a build permit is
/// free, and answers the file with its length.
async fn build_monthly(
    state: &State,
    caller: &Caller,
    q: &MonthlyQuery,
    format: Format,
) -> ApiResult<(std::fs::File, u64)> {
    let (from, to) = month_range(&q.month)?;
    let now = state.clock.now();
    check_period(from, to, q.as_of, now, state.config.clock_skew_seconds)?;
    let as_of = q.as_of.unwrap_or(now);
    let request = Request {
        month: q.month.clone(),
        filter: Filter {
            from,
            to,
            as_of,
            as_of_date: local_date(as_of, state.config.timezone),
            tz: state.config.timezone,
            community_id: q.community_id,
            unit_kind: None,
            category: None,
            campaign_id: None,
            scope: caller.scope.restriction().map(<[_]>::to_vec),
            leader_led_only: false,
        },
        lang: q.lang.unwrap_or_default(),
        format,
        paper: Paper {
            office_name: state.config.office.name.clone(),
            office_phone: state.config.office.phone.clone(),
            prepared_by: caller.name.clone(),
            prepared_on: local_date(now, state.config.timezone),
        },
    };
    let limit = state.config.report_timeout;
    download::build(state, move |conn, file, tmp_dir| report::build(conn, &request, file, tmp_dir, limit)).await
}

/// The month's report: summary, by community, by category, overdue and major hazards
/// (as of `as_of`, whenever found), joint enforcement and leader-led inspections.
#[utoipa::path(
    tag = "reports", operation_id = "report_monthly",
    params(MonthlyQuery),
    responses(
        (status = 200, body = Monthly),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/monthly")]
pub async fn monthly(state: State, caller: Caller, query: QueryParams<MonthlyQuery>) -> ApiResult<HttpResponse> {
    let (file, len) = build_monthly(&state, &caller, &query.0, Format::Json).await?;
    Ok(HttpResponse::Ok().content_type("application/json").body(download::body(file, len)))
}

fn base_name(q: &MonthlyQuery) -> String {
    match q.lang.unwrap_or_default() {
        Lang::Zh => format!("安全检查月报-{}", q.month),
        Lang::En => format!("safetrace-monthly-{}", q.month),
    }
}

/// The month's report as an Excel workbook, one sheet per table.
#[utoipa::path(
    tag = "reports", operation_id = "report_monthly_xlsx",
    params(MonthlyQuery),
    responses(
        (status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", body = Vec<u8>),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/monthly.xlsx")]
pub async fn monthly_xlsx(state: State, caller: Caller, query: QueryParams<MonthlyQuery>) -> ApiResult<HttpResponse> {
    let q = query.0;
    let (file, len) = build_monthly(&state, &caller, &q, Format::Xlsx).await?;
    let xlsx = FileFormat::Xlsx;
    Ok(download::send(xlsx.content_type(), &format!("{}.xlsx", base_name(&q)), file, len))
}

/// One table of the month's report as CSV (UTF-8 with BOM, CRLF).
#[utoipa::path(
    tag = "reports", operation_id = "report_monthly_csv",
    params(MonthlyCsvQuery),
    responses(
        (status = 200, description = "The table", content_type = "text/csv", body = String),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    )
)]
#[get("/reports/monthly.csv")]
pub async fn monthly_csv(state: State, caller: Caller, query: QueryParams<MonthlyCsvQuery>) -> ApiResult<HttpResponse> {
    let q = MonthlyQuery::from(query.0);
    let table = q.table.ok_or_else(|| {
        ApiError::field(
            "table",
            "required",
            "name the table: summary, by_community, by_category, by_unit_kind, overdue, major, enforcement or leader_led",
        )
    })?;
    let (file, len) = build_monthly(&state, &caller, &q, Format::Csv(table)).await?;
    let name = format!("{}-{}.csv", base_name(&q), table.as_str());
    Ok(download::send(FileFormat::Csv.content_type(), &name, file, len))
}
