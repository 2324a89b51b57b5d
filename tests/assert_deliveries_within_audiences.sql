{#
    Campaigns whose log (campaign_deliveries, sent or held out) names customers outside the
    campaign's audience: campaign_performance.off_audience_deliveries, counted in
    int_campaign_deliveries_checked. A warning: a platform may have sent from another list, and the
    lift is then measured on the audience as selected (intention to treat), not on what was sent. A
    consent breach among them fails assert_no_consent_breaches.
#}
{{ config(enabled=target.type == 'duckdb', severity='warn') }}

select
    campaign_id,
    off_audience_deliveries

from {{ ref('campaign_performance') }}
where off_audience_deliveries > 0
