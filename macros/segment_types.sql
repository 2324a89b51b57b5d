{#
    The built-in segment types of the catalog (docs/rules/catalog.md), every rule in one place. The
    behavioural five keep their own macro (segment_rules.sql) and are listed here by name.

    Each type has its segments in rule order, first that holds wins; `exclusive` types put every
    customer in exactly one segment (the last condition is `true`), the others in at most one.
    A segment has a stable `slug` (its id is `<type>/<slug>`), its `name`, a `description`, the
    SQL `condition` and the same rule as `criteria` in the criteria language of section 9 (the
    catalog's JSON text).

    The conditions read these columns of int_customers_cataloged's features:
    customer_segment, r_score, f_score, tenure_months, value_rank_count (customers of the date
    whose lifetime_value is at most this one's: cume_dist times the count), date_customers,
    age_years, gender, and for the journey stages (int_customers_events_windowed) purchase_days,
    has_review_or_share, has_add_to_cart, has_product_view_or_wishlist. The value tier compares counts (`k > 0.99 * n` is `k / n > 0.99`), so
    the edges are exact on every engine.
#}
{% macro builtin_segment_types() -%}
    {%- set behavioral = [] -%}
    {%- for rule in segment_rules() -%}
        {%- do behavioral.append({
            'slug': segment_slug(rule.name),
            'name': rule.name,
            'description': 'The behavioural segment of docs/rules/segments.md (priority ' ~ rule.priority ~ ').',
            'condition': "customer_segment = '" ~ rule.name ~ "'",
            'criteria': {'customer_segment': {'eq': rule.name}, 'rule': rule.condition},
        }) -%}
    {%- endfor -%}

    {%- set rfm = [] -%}
    {#- the named grid: (slug, name, r_score from, to, f_score from, to, description), first row that holds -#}
    {%- for slug, name, r_min, r_max, f_min, f_max, description in [
        ('champions', 'Champions', 5, 5, 4, 5, 'Bought most recently and most often.'),
        ('loyal_customers', 'Loyal Customers', 3, 4, 4, 5, 'Buy often, and not long ago.'),
        ('potential_loyalists', 'Potential Loyalists', 4, 5, 2, 3, 'Recent customers with average frequency.'),
        ('new_customers', 'New Customers', 5, 5, 1, 1, 'Bought very recently, but rarely.'),
        ('promising', 'Promising', 4, 4, 1, 1, 'Recent, but with few purchases.'),
        ('need_attention', 'Need Attention', 3, 3, 3, 3, 'Average recency and frequency.'),
        ('about_to_sleep', 'About to Sleep', 3, 3, 1, 2, 'Average recency, few purchases.'),
        ('cant_lose_them', "Can't Lose Them", 1, 2, 5, 5, 'Bought most often, but long ago.'),
        ('at_risk', 'At Risk', 1, 2, 3, 4, 'Bought often, but long ago.'),
        ('hibernating', 'Hibernating', 1, 2, 1, 2, 'Long ago and rarely.'),
    ] -%}
        {%- do rfm.append({
            'slug': slug,
            'name': name,
            'description': description ~ ' r_score ' ~ r_min ~ '-' ~ r_max ~ ', f_score ' ~ f_min ~ '-' ~ f_max ~ '.',
            'condition': 'r_score between ' ~ r_min ~ ' and ' ~ r_max ~ ' and f_score between ' ~ f_min ~ ' and ' ~ f_max,
            'criteria': {'r_score': {'between': [r_min, r_max]}, 'f_score': {'between': [f_min, f_max]}},
        }) -%}
    {%- endfor -%}

    {%- set active_from = var('lifecycle_active_min_months') | int -%}
    {%- set mature_from = var('lifecycle_mature_min_months') | int -%}
    {%- set lifecycle = [
        {
            'slug': 'onboarding', 'name': 'Onboarding',
            'description': 'Signed up less than ' ~ active_from ~ ' complete months before the as-of date.',
            'condition': 'tenure_months < ' ~ active_from,
            'criteria': {'tenure_months': {'lt': active_from}},
        },
        {
            'slug': 'active', 'name': 'Active',
            'description': 'Customers for ' ~ active_from ~ ' to ' ~ (mature_from - 1) ~ ' complete months.',
            'condition': 'tenure_months < ' ~ mature_from,
            'criteria': {'tenure_months': {'gte': active_from, 'lt': mature_from}},
        },
        {
            'slug': 'mature', 'name': 'Mature',
            'description': 'Customers for ' ~ mature_from ~ ' complete months or more.',
            'condition': 'true',
            'criteria': {'tenure_months': {'gte': mature_from}},
        },
    ] -%}

    {%- set vip = var('value_tier_vip_above') -%}
    {%- set premium = var('value_tier_premium_above') -%}
    {%- set standard = var('value_tier_standard_above') -%}
    {%- set value = [
        {
            'slug': 'vip', 'name': 'VIP',
            'description': 'Lifetime value above the ' ~ vip ~ ' quantile of the run\'s customers (value_rank > ' ~ vip ~ ').',
            'condition': 'value_rank_count > ' ~ vip ~ ' * date_customers',
            'criteria': {'value_rank': {'gt': vip}},
        },
        {
            'slug': 'premium', 'name': 'Premium',
            'description': 'value_rank above ' ~ premium ~ ', up to ' ~ vip ~ '.',
            'condition': 'value_rank_count > ' ~ premium ~ ' * date_customers',
            'criteria': {'value_rank': {'gt': premium, 'lte': vip}},
        },
        {
            'slug': 'standard', 'name': 'Standard',
            'description': 'value_rank above ' ~ standard ~ ', up to ' ~ premium ~ '.',
            'condition': 'value_rank_count > ' ~ standard ~ ' * date_customers',
            'criteria': {'value_rank': {'gt': standard, 'lte': premium}},
        },
        {
            'slug': 'economy', 'name': 'Economy',
            'description': 'value_rank ' ~ standard ~ ' or less.',
            'condition': 'true',
            'criteria': {'value_rank': {'lte': standard}},
        },
    ] -%}

    {%- set high = var('engagement_high_min_score') | int -%}
    {%- set low = var('engagement_low_max_score') | int -%}
    {%- set engagement = [
        {
            'slug': 'high', 'name': 'High',
            'description': 'r_score and f_score both ' ~ high ~ ' or more.',
            'condition': 'r_score >= ' ~ high ~ ' and f_score >= ' ~ high,
            'criteria': {'r_score': {'gte': high}, 'f_score': {'gte': high}},
        },
        {
            'slug': 'low', 'name': 'Low',
            'description': 'r_score and f_score both ' ~ low ~ ' or less.',
            'condition': 'r_score <= ' ~ low ~ ' and f_score <= ' ~ low,
            'criteria': {'r_score': {'lte': low}, 'f_score': {'lte': low}},
        },
        {
            'slug': 'medium', 'name': 'Medium',
            'description': 'Neither High nor Low.',
            'condition': 'true',
            'criteria': {'not': {'any': [
                {'r_score': {'gte': high}, 'f_score': {'gte': high}},
                {'r_score': {'lte': low}, 'f_score': {'lte': low}},
            ]}},
        },
    ] -%}

    {%- set age = [] -%}
    {%- for slug, name, age_min, age_max in [
        ('age_18_24', 'Age 18-24', 18, 24),
        ('age_25_34', 'Age 25-34', 25, 34),
        ('age_35_44', 'Age 35-44', 35, 44),
        ('age_45_54', 'Age 45-54', 45, 54),
        ('age_55_64', 'Age 55-64', 55, 64),
        ('age_65_plus', 'Age 65+', 65, 120),
    ] -%}
        {%- do age.append({
            'slug': slug,
            'name': name,
            'description': 'Aged ' ~ age_min ~ ' to ' ~ age_max ~ ' complete years at the as-of date.',
            'condition': 'age_years between ' ~ age_min ~ ' and ' ~ age_max,
            'criteria': {'age_years': {'between': [age_min, age_max]}},
        }) -%}
    {%- endfor -%}

    {%- set gender = [] -%}
    {%- for value in ['Male', 'Female', 'Other'] -%}
        {%- do gender.append({
            'slug': 'gender_' ~ value | lower,
            'name': value,
            'description': 'Gender recorded as ' ~ value ~ '.',
            'condition': "gender = '" ~ value ~ "'",
            'criteria': {'gender': {'eq': value}},
        }) -%}
    {%- endfor -%}

    {#- docs/rules/behaviour.md: purchase_days is 0, 1 or 2 (two or more); the flags read the windows of the vars -#}
    {%- set advocacy_days = var('journey_advocacy_days') | int -%}
    {%- set decision_days = var('journey_decision_days') | int -%}
    {%- set consideration_days = var('journey_consideration_days') | int -%}
    {%- set journey = [
        {
            'slug': 'advocacy', 'name': 'Advocacy',
            'description': 'Bought on two days or more, and wrote a review or shared in the last ' ~ advocacy_days ~ ' days.',
            'condition': 'purchase_days >= 2 and has_review_or_share',
            'criteria': {'purchase_days': {'gte': 2}, 'review_or_share_days': {'lte': advocacy_days}},
        },
        {
            'slug': 'retention', 'name': 'Retention',
            'description': 'Bought on two days or more.',
            'condition': 'purchase_days >= 2',
            'criteria': {'purchase_days': {'gte': 2}},
        },
        {
            'slug': 'decision', 'name': 'Decision',
            'description': 'Bought on exactly one day, or added to a cart in the last ' ~ decision_days ~ ' days.',
            'condition': 'purchase_days = 1 or has_add_to_cart',
            'criteria': {'any': [{'purchase_days': {'eq': 1}}, {'add_to_cart_days': {'lte': decision_days}}]},
        },
        {
            'slug': 'consideration', 'name': 'Consideration',
            'description': 'Viewed a product or added one to a wishlist in the last ' ~ consideration_days ~ ' days.',
            'condition': 'has_product_view_or_wishlist',
            'criteria': {'product_view_or_wishlist_days': {'lte': consideration_days}},
        },
        {
            'slug': 'awareness', 'name': 'Awareness',
            'description': 'None of the later stages: known to us, not yet considering a product.',
            'condition': 'true',
            'criteria': {'not': {'any': [
                {'purchase_days': {'gte': 1}},
                {'add_to_cart_days': {'lte': decision_days}},
                {'product_view_or_wishlist_days': {'lte': consideration_days}},
            ]}},
        },
    ] -%}

    {{ return([
        {'type': 'behavioral', 'column': 'behavioral_segment_id', 'exclusive': true, 'segments': behavioral},
        {'type': 'rfm', 'column': 'rfm_segment_id', 'exclusive': true, 'segments': rfm},
        {'type': 'lifecycle', 'column': 'lifecycle_segment_id', 'exclusive': true, 'segments': lifecycle},
        {'type': 'value', 'column': 'value_segment_id', 'exclusive': true, 'segments': value},
        {'type': 'engagement', 'column': 'engagement_segment_id', 'exclusive': true, 'segments': engagement},
        {'type': 'journey', 'column': 'journey_segment_id', 'exclusive': true, 'segments': journey},
        {'type': 'demographic', 'column': 'age_segment_id', 'exclusive': false, 'segments': age},
        {'type': 'demographic', 'column': 'gender_segment_id', 'exclusive': false, 'segments': gender},
    ]) }}
{%- endmacro %}


{# `High-Value Travelers` -> `high_value_travelers`, `New & Growing` -> `new_growing`, `Can't Lose Them` -> `cant_lose_them`. #}
{% macro segment_slug(name) -%}
    {{ return(modules.re.sub('[^a-z0-9]+', '_', name | lower | replace("'", '')).strip('_')) }}
{%- endmacro %}


{# The segment id (`<type>/<slug>`) of the first segment of `segment_type` whose condition holds; null when none does. #}
{% macro segment_type_case(segment_type) -%}
    case
    {%- for segment in segment_type.segments %}
        when {{ segment.condition }} then '{{ segment_type.type }}/{{ segment.slug }}'
    {%- endfor %}
    end
{%- endmacro %}


{# Every built-in segment id of the exclusive types, or of one type. #}
{% macro builtin_segment_ids(segment_type=none) -%}
    {%- set ids = [] -%}
    {%- for t in builtin_segment_types() if (segment_type is none and t.exclusive) or t.type == segment_type -%}
        {%- for segment in t.segments -%}
            {%- do ids.append(t.type ~ '/' ~ segment.slug) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(ids) }}
{%- endmacro %}


{#
    A text literal for SQL, the same text on every engine: quotes doubled, except on Spark, whose
    SQL reads `''` inside a literal as two adjacent literals (`'Can''t'` is `Cant`) and escapes
    with a backslash instead.
#}
{% macro text_literal(text) -%}
    {{ return(adapter.dispatch('text_literal')(text)) }}
{%- endmacro %}

{% macro default__text_literal(text) -%}
    {{ return("'" ~ text | replace("'", "''") ~ "'") }}
{%- endmacro %}

{% macro spark__text_literal(text) -%}
    {{ return("'" ~ text | replace('\\', '\\\\') | replace("'", "\\'") ~ "'") }}
{%- endmacro %}
