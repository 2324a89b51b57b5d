{#
    The five behavioural segments, in priority order: the one place the rule order and shape live.
    The mart assigns with `segment_case`, and the criteria test re-checks every row against
    `segment_rules` (its own rule holds, every earlier one fails).

    Each condition compares exact decimal amounts and needs no division (docs/rules/segments.md):
    "avg monthly spend >= X" is `last >= 3 * X`, "travel >= P %" is `travel * 100 >= last * P`,
    "change <= C %" is `(last - prior) * 100 <= prior * C`. For prior > 0 these equal the
    percentage forms; a customer with no prior spend and some current spend is growing.

    The conditions read these columns of the row being classified:
    spend_last_90_days, spend_prior_90_days, travel_spend_last_90_days,
    necessities_spend_last_90_days, tenure_months.
#}
{% macro segment_rules() -%}
    {{ return([
        {
            'priority': 1,
            'name': 'High-Value Travelers',
            'condition': "spend_last_90_days >= 3 * " ~ var('high_value_min_avg_monthly_spend')
                ~ " and travel_spend_last_90_days * 100 >= spend_last_90_days * " ~ var('high_value_min_travel_pct'),
        },
        {
            'priority': 2,
            'name': 'Declining',
            'condition': "spend_prior_90_days >= " ~ var('declining_min_prior_spend')
                ~ " and (spend_last_90_days - spend_prior_90_days) * 100 <= spend_prior_90_days * " ~ var('declining_max_change_pct'),
        },
        {
            'priority': 3,
            'name': 'New & Growing',
            'condition': "tenure_months <= " ~ var('new_growing_max_tenure_months')
                ~ " and spend_last_90_days > 0"
                ~ " and (spend_last_90_days - spend_prior_90_days) * 100 >= spend_prior_90_days * " ~ var('new_growing_min_change_pct'),
        },
        {
            'priority': 4,
            'name': 'Budget-Conscious',
            'condition': "spend_last_90_days > 0 and spend_last_90_days < 3 * " ~ var('budget_max_avg_monthly_spend')
                ~ " and necessities_spend_last_90_days * 100 >= spend_last_90_days * " ~ var('budget_min_necessities_pct'),
        },
        {
            'priority': 5,
            'name': 'Stable Mid-Spenders',
            'condition': "true",
        },
    ]) }}
{%- endmacro %}


{# The segment's name (attribute='name') or priority (attribute='priority') of the first rule that holds. #}
{% macro segment_case(attribute='name') -%}
    case
    {%- for rule in segment_rules() %}
        when {{ rule.condition }} then {{ "'" ~ rule[attribute] ~ "'" if attribute == 'name' else rule[attribute] }}
    {%- endfor %}
    end
{%- endmacro %}


{# The segment names in priority order, for accepted_values-style checks. #}
{% macro segment_names() -%}
    {{ return(segment_rules() | map(attribute='name') | list) }}
{%- endmacro %}
