{#
    Every row's segment is the first rule that holds: its own rule holds, and every rule of a
    higher priority fails. Reads the rules from macros/segment_rules.sql, and the row's
    segment name and priority must both agree with the rule.
#}
{% test segment_rules_hold(model, segment_column='customer_segment', priority_column='segment_priority') %}

{%- set rules = segment_rules() %}

select *
from {{ model }}
where
{%- for rule in rules %}
    {{ 'or ' if not loop.first }}(
        {{ segment_column }} = '{{ rule.name }}'
        and (
            {{ priority_column }} <> {{ rule.priority }}
            or not ({{ rule.condition }})
            {%- for earlier in rules[:loop.index0] %}
            or ({{ earlier.condition }})
            {%- endfor %}
        )
    )
{%- endfor %}
    or {{ segment_column }} is null

{% endtest %}
