{#
    The optional campaign_deliveries file (docs/rules/raw-input.md): the messaging platform's log, one row
    per campaign and customer, `treatment` (sent) or `holdout` (deliberately not sent). Typed once;
    stg_campaign_deliveries and stg_campaign_deliveries__rejected are filters of this table. A bad
    id, group or timestamp rejects the row (whether its customer is known is judged after staging,
    int_campaign_deliveries_unmatched); a delivered or bounced flag that is not a boolean reads as
    null. A repeated (campaign, customer) keeps the earliest
    sent_at, then the raw text, so the pick never depends on file order.
    The shape every base model shares is macros/base_model.sql.
#}

{{ base_model(
    source_table='campaign_deliveries',
    raw_columns=[
        'campaign_id', 'customer_id', 'test_group', 'sent_at', 'delivered', 'bounced', 'opened_at',
        'clicked_at', 'unsubscribed_at',
    ],
    header_columns=['campaign_id', 'customer_id', 'test_group', 'sent_at'],
    fields=[
        {'column': 'campaign_id', 'required': true},
        {'column': 'customer_id', 'parse': 'integer', 'required': true},
        {
            'column': 'test_group',
            'parse': "case lower(test_group_text) when 'treatment' then 'treatment' when 'holdout' then 'holdout' end",
            'expect': 'treatment/holdout',
            'required': true,
        },
        {'column': 'sent_at', 'parse': 'iso_timestamp', 'required': true},
        {'column': 'delivered', 'parse': 'boolean'},
        {'column': 'bounced', 'parse': 'boolean'},
        {'column': 'opened_at', 'parse': 'iso_timestamp', 'invalid': 'reject'},
        {'column': 'clicked_at', 'parse': 'iso_timestamp', 'invalid': 'reject'},
        {'column': 'unsubscribed_at', 'parse': 'iso_timestamp', 'invalid': 'reject'},
    ],
    dedup_key=['campaign_id', 'customer_id'],
    dedup_order=[
        'sent_at', 'raw_test_group', 'raw_delivered', 'raw_bounced', 'raw_opened_at', 'raw_clicked_at',
        'raw_unsubscribed_at',
    ],
) }}
