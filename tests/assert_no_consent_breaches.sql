{#
    A consent breach fails the build (docs/rules/campaigns.md): a treatment delivery to a customer who was
    not contactable on the campaign's channel at sent_at (int_campaign_deliveries_checked says why).
#}
{{ config(enabled=target.type == 'duckdb') }}

select
    campaign_id,
    customer_id,
    sent_at,
    channel,
    not_contactable_reasons_at_send

from {{ ref('int_campaign_deliveries_checked') }}
where is_consent_breach
