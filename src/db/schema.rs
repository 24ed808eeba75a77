//! Table definitions shared by both engines (the SQL types map per engine in `types`).

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    communities (id) {
        id -> SqlUuid,
        name -> Text,
        code -> Text,
        version -> Integer,
        created_at -> SqlMoment,
        updated_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    units (id) {
        id -> SqlUuid,
        community_id -> SqlUuid,
        name -> Text,
        kind -> Text,
        status -> Text,
        address -> Text,
        credit_code -> Nullable<Text>,
        contact_name -> Nullable<Text>,
        contact_phone -> Nullable<Text>,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        version -> Integer,
        created_at -> SqlMoment,
        updated_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
        unit_no -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    unit_events (id) {
        id -> SqlUuid,
        unit_id -> SqlUuid,
        at -> SqlMoment,
        actor -> Text,
        actor_user_id -> Nullable<SqlUuid>,
        kind -> Text,
        from_status -> Nullable<Text>,
        to_status -> Nullable<Text>,
        reason -> Nullable<Text>,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    campaigns (id) {
        id -> SqlUuid,
        name -> Text,
        starts_on -> Date,
        ends_on -> Date,
        description -> Nullable<Text>,
        version -> Integer,
        created_at -> SqlMoment,
        updated_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    community_events (id) {
        id -> SqlUuid,
        community_id -> SqlUuid,
        at -> SqlMoment,
        actor -> Text,
        actor_user_id -> Nullable<SqlUuid>,
        kind -> Text,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    campaign_events (id) {
        id -> SqlUuid,
        campaign_id -> SqlUuid,
        at -> SqlMoment,
        actor -> Text,
        actor_user_id -> Nullable<SqlUuid>,
        kind -> Text,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    inspections (id) {
        id -> SqlUuid,
        unit_id -> SqlUuid,
        community_id -> SqlUuid,
        unit_kind -> Text,
        campaign_id -> Nullable<SqlUuid>,
        inspected_at -> SqlMoment,
        inspected_on -> Date,
        inspectors -> Text,
        leader_led -> Bool,
        latitude -> Nullable<Double>,
        longitude -> Nullable<Double>,
        notes -> Nullable<Text>,
        request_hash -> Text,
        recorded_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    hazards (id) {
        id -> SqlUuid,
        inspection_id -> SqlUuid,
        unit_id -> SqlUuid,
        community_id -> SqlUuid,
        unit_kind -> Text,
        campaign_id -> Nullable<SqlUuid>,
        leader_led -> Bool,
        category -> Text,
        level -> Text,
        source -> Text,
        handling_type -> Text,
        description -> Text,
        legal_basis -> Nullable<Text>,
        responsible_person -> Nullable<Text>,
        note -> Nullable<Text>,
        deadline -> Nullable<Date>,
        status -> Text,
        found_at -> SqlMoment,
        found_on -> Date,
        recorded_at -> SqlMoment,
        closed_at -> Nullable<SqlMoment>,
        version -> Integer,
        created_by -> Nullable<SqlUuid>,
        plan_state -> Nullable<Text>,
        supervision_level -> Nullable<Text>,
        supervision_state -> Nullable<Text>,
        recurrence_of -> Nullable<SqlUuid>,
        found_by -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    hazard_events (id) {
        id -> SqlUuid,
        hazard_id -> SqlUuid,
        at -> SqlMoment,
        actor -> Text,
        actor_user_id -> Nullable<SqlUuid>,
        kind -> Text,
        from_state -> Nullable<Text>,
        to_state -> Text,
        reason -> Nullable<Text>,
        details -> Nullable<Text>,
        deadline -> Nullable<Date>,
        plan_state -> Nullable<Text>,
        supervision_level -> Nullable<Text>,
        supervision_state -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    hazard_plans (hazard_id) {
        hazard_id -> SqlUuid,
        measures -> Nullable<Text>,
        funds_cents -> Nullable<BigInt>,
        deadline -> Nullable<Date>,
        responsible_person -> Nullable<Text>,
        emergency_plan -> Nullable<Text>,
        complete -> Bool,
        version -> Integer,
        created_at -> SqlMoment,
        updated_at -> SqlMoment,
        updated_by -> Nullable<SqlUuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    hazard_supervisions (hazard_id) {
        hazard_id -> SqlUuid,
        level -> Text,
        authority -> Text,
        listed_on -> Date,
        state -> Text,
        version -> Integer,
        created_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
        lift_requested_at -> Nullable<SqlMoment>,
        lifted_at -> Nullable<SqlMoment>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    users (id) {
        id -> SqlUuid,
        username -> Text,
        password_hash -> Text,
        display_name -> Nullable<Text>,
        role -> Text,
        all_communities -> Bool,
        active -> Bool,
        version -> Integer,
        created_at -> SqlMoment,
        updated_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
        must_change_password -> Bool,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    user_communities (user_id, community_id) {
        user_id -> SqlUuid,
        community_id -> SqlUuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    user_events (id) {
        id -> SqlUuid,
        user_id -> SqlUuid,
        at -> SqlMoment,
        actor -> Text,
        actor_user_id -> Nullable<SqlUuid>,
        kind -> Text,
        details -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    auth_tokens (id) {
        id -> SqlUuid,
        user_id -> SqlUuid,
        token_hash -> Text,
        created_at -> SqlMoment,
        expires_at -> SqlMoment,
        last_used_at -> SqlMoment,
        revoked_at -> Nullable<SqlMoment>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlMoment;

    login_throttle (username, address) {
        username -> Text,
        address -> Text,
        failures -> Integer,
        window_started_at -> SqlMoment,
        last_failure_at -> SqlMoment,
        locked_until -> Nullable<SqlMoment>,
        expires_at -> SqlMoment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    attachments (id) {
        id -> SqlUuid,
        sha256 -> Text,
        content_type -> Text,
        size -> BigInt,
        file_name -> Nullable<Text>,
        uploaded_by -> SqlUuid,
        uploaded_at -> SqlMoment,
        request_hash -> Text,
        removed_at -> Nullable<SqlMoment>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    attachment_links (attachment_id, record_kind, record_id) {
        attachment_id -> SqlUuid,
        record_kind -> Text,
        record_id -> SqlUuid,
        community_id -> SqlUuid,
        position -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    rectifications (id) {
        id -> SqlUuid,
        hazard_id -> SqlUuid,
        community_id -> SqlUuid,
        status -> Text,
        measures -> Text,
        responsible_person -> Nullable<Text>,
        cost_cents -> Nullable<BigInt>,
        completed_at -> SqlMoment,
        submitted_at -> SqlMoment,
        submitted_by -> SqlUuid,
        verified_at -> Nullable<SqlMoment>,
        verified_by -> Nullable<SqlUuid>,
        verification_comment -> Nullable<Text>,
        request_hash -> Text,
        version -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    enforcement_actions (id) {
        id -> SqlUuid,
        held_on -> Date,
        lead_department -> Text,
        departments -> Text,
        community_id -> Nullable<SqlUuid>,
        summary -> Text,
        request_hash -> Text,
        recorded_at -> SqlMoment,
        created_by -> SqlUuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    enforcement_outcomes (id) {
        id -> SqlUuid,
        action_id -> SqlUuid,
        position -> Integer,
        unit_id -> SqlUuid,
        community_id -> SqlUuid,
        unit_kind -> Text,
        violations_found -> Integer,
        violation_description -> Nullable<Text>,
        measure -> Text,
        transferred_to -> Nullable<Text>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    /// The bigrams of each hazard's searched text (see the migration `search`).
    hazard_search (gram, found_at, hazard_id) {
        gram -> Text,
        found_at -> SqlMoment,
        hazard_id -> SqlUuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    /// The bigrams of each unit's searched text.
    unit_search (gram, created_at, unit_id) {
        gram -> Text,
        created_at -> SqlMoment,
        unit_id -> SqlUuid,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    imports (id) {
        id -> SqlUuid,
        kind -> Text,
        file_name -> Nullable<Text>,
        request_hash -> Text,
        report -> Text,
        created_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
    }
}

diesel::joinable!(units -> communities (community_id));
diesel::joinable!(unit_events -> units (unit_id));
diesel::joinable!(community_events -> communities (community_id));
diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    hazard_phrases (id) {
        id -> SqlUuid,
        category -> Text,
        text -> Text,
        legal_basis -> Nullable<Text>,
        active -> Bool,
        version -> Integer,
        created_at -> SqlMoment,
        updated_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    hazard_phrase_events (id) {
        id -> SqlUuid,
        phrase_id -> SqlUuid,
        at -> SqlMoment,
        actor -> Text,
        actor_user_id -> Nullable<SqlUuid>,
        kind -> Text,
        details -> Nullable<Text>,
    }
}

diesel::joinable!(hazard_phrase_events -> hazard_phrases (phrase_id));
diesel::joinable!(campaign_events -> campaigns (campaign_id));
diesel::joinable!(inspections -> units (unit_id));
diesel::joinable!(hazards -> inspections (inspection_id));
diesel::joinable!(hazard_events -> hazards (hazard_id));
diesel::joinable!(user_communities -> users (user_id));
diesel::joinable!(user_communities -> communities (community_id));
diesel::joinable!(auth_tokens -> users (user_id));
diesel::joinable!(user_events -> users (user_id));
diesel::joinable!(attachment_links -> attachments (attachment_id));
diesel::joinable!(rectifications -> hazards (hazard_id));
diesel::joinable!(enforcement_outcomes -> enforcement_actions (action_id));
diesel::joinable!(enforcement_outcomes -> units (unit_id));

diesel::allow_tables_to_appear_in_same_query!(
    communities,
    units,
    unit_events,
    community_events,
    campaigns,
    campaign_events,
    hazard_phrases,
    hazard_phrase_events,
    inspections,
    hazards,
    hazard_events,
    users,
    user_communities,
    user_events,
    auth_tokens,
    login_throttle,
    attachments,
    attachment_links,
    rectifications,
    enforcement_actions,
    enforcement_outcomes,
    hazard_search,
    unit_search,
    imports,
);

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    hazard_tally_changes (at, found_on) {
        at -> SqlMoment,
        at_day -> Date,
        found_on -> Date,
        community_id -> SqlUuid,
        unit_kind -> Text,
        category -> Text,
        level -> Text,
        campaign_key -> SqlUuid,
        leader_led -> Bool,
        found -> BigInt,
        closed -> BigInt,
        voided -> BigInt,
        open -> BigInt,
        pending -> BigInt,
        major_open -> BigInt,
        found_major -> BigInt,
        closed_major -> BigInt,
        major_with_plan -> BigInt,
        major_plan_complete -> BigInt,
        major_supervised -> BigInt,
        major_supervised_province -> BigInt,
        major_supervised_lifted -> BigInt,
        hazards_recurrent -> BigInt,
        overdue -> BigInt,
        rectification_cost_cents -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    hazard_tallies_months (found_bucket, at_bucket, community_id, unit_kind, campaign_key, leader_led) {
        found_bucket -> Date,
        at_bucket -> Date,
        community_id -> SqlUuid,
        unit_kind -> Text,
        campaign_key -> SqlUuid,
        leader_led -> Bool,
        found -> BigInt,
        closed -> BigInt,
        voided -> BigInt,
        open -> BigInt,
        pending -> BigInt,
        major_open -> BigInt,
        found_major -> BigInt,
        closed_major -> BigInt,
        major_with_plan -> BigInt,
        major_plan_complete -> BigInt,
        major_supervised -> BigInt,
        major_supervised_province -> BigInt,
        major_supervised_lifted -> BigInt,
        hazards_recurrent -> BigInt,
        overdue -> BigInt,
        rectification_cost_cents -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    hazard_tallies_days (found_bucket, at_bucket, community_id, unit_kind, campaign_key, leader_led) {
        found_bucket -> Date,
        at_bucket -> Date,
        community_id -> SqlUuid,
        unit_kind -> Text,
        campaign_key -> SqlUuid,
        leader_led -> Bool,
        found -> BigInt,
        closed -> BigInt,
        voided -> BigInt,
        open -> BigInt,
        pending -> BigInt,
        major_open -> BigInt,
        found_major -> BigInt,
        closed_major -> BigInt,
        major_with_plan -> BigInt,
        major_plan_complete -> BigInt,
        major_supervised -> BigInt,
        major_supervised_province -> BigInt,
        major_supervised_lifted -> BigInt,
        hazards_recurrent -> BigInt,
        overdue -> BigInt,
        rectification_cost_cents -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    hazard_tallies_edges (found_bucket, at_bucket, community_id, unit_kind, campaign_key, leader_led) {
        found_bucket -> Date,
        at_bucket -> Date,
        community_id -> SqlUuid,
        unit_kind -> Text,
        campaign_key -> SqlUuid,
        leader_led -> Bool,
        found -> BigInt,
        closed -> BigInt,
        voided -> BigInt,
        open -> BigInt,
        pending -> BigInt,
        major_open -> BigInt,
        found_major -> BigInt,
        closed_major -> BigInt,
        major_with_plan -> BigInt,
        major_plan_complete -> BigInt,
        major_supervised -> BigInt,
        major_supervised_province -> BigInt,
        major_supervised_lifted -> BigInt,
        hazards_recurrent -> BigInt,
        overdue -> BigInt,
        rectification_cost_cents -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    hazard_tallies_months_by_category (found_bucket, at_bucket, community_id, unit_kind, category, level, campaign_key, leader_led) {
        found_bucket -> Date,
        at_bucket -> Date,
        community_id -> SqlUuid,
        unit_kind -> Text,
        category -> Text,
        level -> Text,
        campaign_key -> SqlUuid,
        leader_led -> Bool,
        found -> BigInt,
        closed -> BigInt,
        voided -> BigInt,
        open -> BigInt,
        pending -> BigInt,
        major_open -> BigInt,
        found_major -> BigInt,
        closed_major -> BigInt,
        major_with_plan -> BigInt,
        major_plan_complete -> BigInt,
        major_supervised -> BigInt,
        major_supervised_province -> BigInt,
        major_supervised_lifted -> BigInt,
        hazards_recurrent -> BigInt,
        overdue -> BigInt,
        rectification_cost_cents -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    hazard_tallies_days_by_category (found_bucket, at_bucket, community_id, unit_kind, category, level, campaign_key, leader_led) {
        found_bucket -> Date,
        at_bucket -> Date,
        community_id -> SqlUuid,
        unit_kind -> Text,
        category -> Text,
        level -> Text,
        campaign_key -> SqlUuid,
        leader_led -> Bool,
        found -> BigInt,
        closed -> BigInt,
        voided -> BigInt,
        open -> BigInt,
        pending -> BigInt,
        major_open -> BigInt,
        found_major -> BigInt,
        closed_major -> BigInt,
        major_with_plan -> BigInt,
        major_plan_complete -> BigInt,
        major_supervised -> BigInt,
        major_supervised_province -> BigInt,
        major_supervised_lifted -> BigInt,
        hazards_recurrent -> BigInt,
        overdue -> BigInt,
        rectification_cost_cents -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::SqlUuid;

    hazard_tallies_edges_by_category (found_bucket, at_bucket, community_id, unit_kind, category, level, campaign_key, leader_led) {
        found_bucket -> Date,
        at_bucket -> Date,
        community_id -> SqlUuid,
        unit_kind -> Text,
        category -> Text,
        level -> Text,
        campaign_key -> SqlUuid,
        leader_led -> Bool,
        found -> BigInt,
        closed -> BigInt,
        voided -> BigInt,
        open -> BigInt,
        pending -> BigInt,
        major_open -> BigInt,
        found_major -> BigInt,
        closed_major -> BigInt,
        major_with_plan -> BigInt,
        major_plan_complete -> BigInt,
        major_supervised -> BigInt,
        major_supervised_province -> BigInt,
        major_supervised_lifted -> BigInt,
        hazards_recurrent -> BigInt,
        overdue -> BigInt,
        rectification_cost_cents -> BigInt,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    unit_presence (source, grain, recorded_bucket, found_bucket, community_id, unit_kind, category, level, campaign_key, leader_led) {
        source -> Text,
        grain -> Integer,
        recorded_bucket -> Date,
        found_bucket -> Date,
        community_id -> SqlUuid,
        unit_kind -> Text,
        category -> Text,
        level -> Text,
        campaign_key -> SqlUuid,
        leader_led -> Bool,
        units -> Binary,
        row_count -> BigInt,
        last_recorded_at -> SqlMoment,
    }
}

diesel::table! {
    meta (key) {
        key -> Text,
        value -> Text,
    }
}

diesel::table! {
    document_sequences (kind, year) {
        kind -> Text,
        year -> Integer,
        next -> Integer,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    documents (id) {
        id -> SqlUuid,
        kind -> Text,
        subject_id -> SqlUuid,
        community_id -> SqlUuid,
        year -> Integer,
        sequence -> Integer,
        number -> Text,
        issued_at -> SqlMoment,
        issued_by -> Nullable<SqlUuid>,
        issued_by_name -> Text,
        snapshot -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    notifications (id) {
        id -> SqlUuid,
        kind -> Text,
        level -> Integer,
        hazard_id -> Nullable<SqlUuid>,
        deadline -> Nullable<Date>,
        community_id -> Nullable<SqlUuid>,
        message -> Text,
        created_at -> SqlMoment,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    notification_recipients (notification_id, user_id) {
        notification_id -> SqlUuid,
        user_id -> SqlUuid,
        created_at -> SqlMoment,
        read_at -> Nullable<SqlMoment>,
    }
}

diesel::joinable!(notification_recipients -> notifications (notification_id));
diesel::allow_tables_to_appear_in_same_query!(notifications, notification_recipients);

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    /// Read and written with hand-written SQL (`feed::store`).
    feed_events (id) {
        id -> BigInt,
        position -> Nullable<BigInt>,
        at -> SqlMoment,
        kind -> Text,
        resource -> Text,
        resource_id -> SqlUuid,
        community_id -> Nullable<SqlUuid>,
        actor -> Nullable<Text>,
        actor_user_id -> Nullable<SqlUuid>,
        data -> Text,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    /// Read and written with hand-written SQL (`webhooks::store`).
    webhooks (id) {
        id -> SqlUuid,
        url -> Text,
        event_kinds -> Nullable<Text>,
        community_ids -> Nullable<Text>,
        active -> Bool,
        secret -> Text,
        version -> Integer,
        cursor -> BigInt,
        failing_since -> Nullable<SqlMoment>,
        created_at -> SqlMoment,
        updated_at -> SqlMoment,
        created_by -> Nullable<SqlUuid>,
    }
}

diesel::table! {
    use diesel::sql_types::*;
    use crate::db::types::{SqlUuid, SqlMoment};

    /// Read and written with hand-written SQL (`webhooks::store`).
    webhook_deliveries (id) {
        id -> SqlUuid,
        webhook_id -> SqlUuid,
        position -> BigInt,
        event_kind -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_try_at -> Nullable<SqlMoment>,
        last_attempt_at -> Nullable<SqlMoment>,
        response_code -> Nullable<Integer>,
        duration_ms -> Nullable<BigInt>,
        error -> Nullable<Text>,
        created_at -> SqlMoment,
    }
}
