{#
    Deliveries (sent or held out) to a customer outside the campaign's audience in
    campaign_audiences, counted per campaign: a warning, since a platform may have sent from
    another list (the demo data's log is drawn from the generator's hidden profiles, not from the
    catalog's segments). A consent breach among them fails assert_no_consent_breaches.
#}
{{ config(enabled=target.type == 'duckdb', severity='warn') }}

select
    campaign_id,
    count(*) as deliveries_outside_audience

from {{ ref('int_campaign_deliveries_checked') }}
where not is_in_audience
group by campaign_id
