{#
    The built-in segment types of the catalog (docs/rules/catalog.md), every rule in one place. The
    behavioural five keep their own macro (segment_rules.sql) and are listed here by name.

    Each type has its segments in rule order, first that holds wins; `exclusive` types put every
    customer in exactly one segment (the last rule has no clauses: everyone else), the others in at
    most one. A segment has a stable `slug` (its id is `<type>/<slug>`), its `name`, a
    `description` and its rule, `when`, declared once: a list of clauses (segment_when_sql). From
    it builtin_segment_types() renders the SQL `condition` that assigns members and the `criteria`
    the catalog publishes (docs/rules/catalog.md#built-in-criteria); `disjoint` says that a type's
    rules with clauses never hold together, so their criteria need not exclude the earlier ones.
    tests/integration/test_builtin_criteria.py checks that each criteria selects the members.

    The conditions read these columns of int_customers_cataloged's features:
    customer_segment, r_score, f_score, tenure_months, value_rank (as value_rank_count, the
    customers of the date whose lifetime_value is at most this one's, over date_customers),
    age_years, gender, and for the journey stages (int_customers_events_windowed) purchase_days,
    has_review_or_share, has_add_to_cart, has_product_view_or_wishlist. The value tier compares
    counts (`k > 0.99 * n` is `k / n > 0.99`), so the edges are exact on every engine.
#}
{% macro builtin_segment_types() -%}
    {%- set behavioral = [] -%}
    {%- for rule in segment_rules() -%}
        {%- do behavioral.append({
            'slug': segment_slug(rule.name),
            'name': rule.name,
            'description': 'The behavioural segment of docs/rules/segments.md (priority ' ~ rule.priority ~ ').',
            'when': [('customer_segment', 'eq', rule.name)],
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
            'when': [('r_score', 'between', [r_min, r_max]), ('f_score', 'between', [f_min, f_max])],
        }) -%}
    {%- endfor -%}

    {%- set active_from = var('lifecycle_active_min_months') | int -%}
    {%- set mature_from = var('lifecycle_mature_min_months') | int -%}
    {%- set lifecycle = [
        {
            'slug': 'onboarding', 'name': 'Onboarding',
            'description': 'Signed up less than ' ~ active_from ~ ' complete months before the as-of date.',
            'when': [('tenure_months', 'lt', active_from)],
        },
        {
            'slug': 'active', 'name': 'Active',
            'description': 'Customers for ' ~ active_from ~ ' to ' ~ (mature_from - 1) ~ ' complete months.',
            'when': [('tenure_months', 'gte', active_from), ('tenure_months', 'lt', mature_from)],
        },
        {
            'slug': 'mature', 'name': 'Mature',
            'description': 'Customers for ' ~ mature_from ~ ' complete months or more.',
            'when': [],
        },
    ] -%}

    {%- set vip = var('value_tier_vip_above') -%}
    {%- set premium = var('value_tier_premium_above') -%}
    {%- set standard = var('value_tier_standard_above') -%}
    {%- set value = [
        {
            'slug': 'vip', 'name': 'VIP',
            'description': 'Lifetime value above the ' ~ vip ~ ' quantile of the run\'s customers (value_rank > ' ~ vip ~ ').',
            'when': [('value_rank', 'gt', vip)],
        },
        {
            'slug': 'premium', 'name': 'Premium',
            'description': 'value_rank above ' ~ premium ~ ', up to ' ~ vip ~ '.',
            'when': [('value_rank', 'gt', premium), ('value_rank', 'lte', vip)],
        },
        {
            'slug': 'standard', 'name': 'Standard',
            'description': 'value_rank above ' ~ standard ~ ', up to ' ~ premium ~ '.',
            'when': [('value_rank', 'gt', standard), ('value_rank', 'lte', premium)],
        },
        {
            'slug': 'economy', 'name': 'Economy',
            'description': 'value_rank ' ~ standard ~ ' or less.',
            'when': [],
        },
    ] -%}

    {%- set high = var('engagement_high_min_score') | int -%}
    {%- set low = var('engagement_low_max_score') | int -%}
    {%- set engagement = [
        {
            'slug': 'high', 'name': 'High',
            'description': 'r_score and f_score both ' ~ high ~ ' or more.',
            'when': [('r_score', 'gte', high), ('f_score', 'gte', high)],
        },
        {
            'slug': 'low', 'name': 'Low',
            'description': 'r_score and f_score both ' ~ low ~ ' or less.',
            'when': [('r_score', 'lte', low), ('f_score', 'lte', low)],
        },
        {
            'slug': 'medium', 'name': 'Medium',
            'description': 'Neither High nor Low.',
            'when': [],
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
            'when': [('age_years', 'between', [age_min, age_max])],
        }) -%}
    {%- endfor -%}

    {%- set gender = [] -%}
    {%- for value in ['Male', 'Female', 'Other'] -%}
        {%- do gender.append({
            'slug': 'gender_' ~ value | lower,
            'name': value,
            'description': 'Gender recorded as ' ~ value ~ '.',
            'when': [('gender', 'eq', value)],
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
            'when': [('purchase_days', 'gte', 2), ('has_review_or_share', 'eq', true)],
        },
        {
            'slug': 'retention', 'name': 'Retention',
            'description': 'Bought on two days or more.',
            'when': [('purchase_days', 'gte', 2)],
        },
        {
            'slug': 'decision', 'name': 'Decision',
            'description': 'Bought on exactly one day, or added to a cart in the last ' ~ decision_days ~ ' days.',
            'when': [('any', [[('purchase_days', 'eq', 1)], [('has_add_to_cart', 'eq', true)]])],
        },
        {
            'slug': 'consideration', 'name': 'Consideration',
            'description': 'Viewed a product or added one to a wishlist in the last ' ~ consideration_days ~ ' days.',
            'when': [('has_product_view_or_wishlist', 'eq', true)],
        },
        {
            'slug': 'awareness', 'name': 'Awareness',
            'description': 'None of the later stages: known to us, not yet considering a product.',
            'when': [],
        },
    ] -%}

    {%- set types = [
        {'type': 'behavioral', 'column': 'behavioral_segment_id', 'exclusive': true, 'disjoint': true, 'segments': behavioral},
        {'type': 'rfm', 'column': 'rfm_segment_id', 'exclusive': true, 'disjoint': true, 'segments': rfm},
        {'type': 'lifecycle', 'column': 'lifecycle_segment_id', 'exclusive': true, 'disjoint': true, 'segments': lifecycle},
        {'type': 'value', 'column': 'value_segment_id', 'exclusive': true, 'disjoint': true, 'segments': value},
        {'type': 'engagement', 'column': 'engagement_segment_id', 'exclusive': true, 'disjoint': true, 'segments': engagement},
        {'type': 'journey', 'column': 'journey_segment_id', 'exclusive': true, 'disjoint': false, 'segments': journey},
        {'type': 'demographic', 'column': 'age_segment_id', 'exclusive': false, 'disjoint': true, 'segments': age},
        {'type': 'demographic', 'column': 'gender_segment_id', 'exclusive': false, 'disjoint': true, 'segments': gender},
    ] -%}
    {#- the one rule of each segment, rendered twice: the SQL that assigns, the criteria that describe -#}
    {%- for segment_type in types -%}
        {%- for segment in segment_type.segments -%}
            {%- do segment.update({
                'condition': segment_when_sql(segment.when),
                'criteria': segment_when_criteria(segment_type, loop.index0),
            }) -%}
        {%- endfor -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}


{#
    A segment's `when` as a SQL condition: its clauses joined with `and`, `true` when there are none.
    A clause is (field, operator, value) with the criteria language's operators (`eq`, `gt`, `gte`,
    `lt`, `lte`, `between` [low, high]), `eq true` is the bare flag, and ('any', [clauses, ...]) holds
    when one of its lists does. `value_rank` compares counts: `value_rank > v` is
    `value_rank_count > v * date_customers`.
#}
{% macro segment_when_sql(when) -%}
    {%- set parts = [] -%}
    {%- for clause in when -%}
        {%- set field, operator, value = clause if clause | length == 3 else (clause[0], none, clause[1]) -%}
        {%- if field == 'any' -%}
            {%- set options = [] -%}
            {%- for option in value -%}
                {%- do options.append(segment_when_sql(option)) -%}
            {%- endfor -%}
            {%- do parts.append('(' ~ options | join(' or ') ~ ')') -%}
        {%- elif operator == 'between' -%}
            {%- do parts.append(field ~ ' between ' ~ value[0] ~ ' and ' ~ value[1]) -%}
        {%- elif operator == 'eq' and value is sameas true -%}
            {%- do parts.append(field) -%}
        {%- else -%}
            {%- set sql_operator = {'eq': '=', 'gt': '>', 'gte': '>=', 'lt': '<', 'lte': '<='}[operator] -%}
            {%- set operand = text_literal(value) if value is string else value -%}
            {%- if field == 'value_rank' -%}
                {%- do parts.append('value_rank_count ' ~ sql_operator ~ ' ' ~ operand ~ ' * date_customers') -%}
            {%- else -%}
                {%- do parts.append(field ~ ' ' ~ sql_operator ~ ' ' ~ operand) -%}
            {%- endif -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(parts | join(' and ') if parts else 'true') }}
{%- endmacro %}


{#
    A `when` in the criteria language (docs/rules/user-segments.md#criteria), compact forms: one key
    per clause (`{gte: 5}`, `{between: [1, 2]}`, a bare `true`), or an `all` list where a field has
    two clauses, since a compact operator object holds one operator.
#}
{% macro segment_when_mapping(when) -%}
    {%- set items = [] -%}
    {%- for clause in when -%}
        {%- set field, operator, value = clause if clause | length == 3 else (clause[0], none, clause[1]) -%}
        {%- if field == 'any' -%}
            {%- set options = [] -%}
            {%- for option in value -%}
                {%- do options.append(segment_when_mapping(option)) -%}
            {%- endfor -%}
            {%- do items.append({'any': options}) -%}
        {%- elif operator == 'eq' and value is sameas true -%}
            {%- do items.append({field: true}) -%}
        {%- else -%}
            {%- do items.append({field: {operator: value}}) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- set keys = [] -%}
    {%- for item in items -%}
        {%- do keys.extend(item.keys() | list) -%}
    {%- endfor -%}
    {%- if keys | length != keys | unique | list | length -%}
        {{ return({'all': items}) }}
    {%- endif -%}
    {%- set mapping = {} -%}
    {%- for item in items -%}
        {%- do mapping.update(item) -%}
    {%- endfor -%}
    {{ return(mapping) }}
{%- endmacro %}


{#
    The published criteria of the segment at `index` of its type: the customers the type's `case`
    gives it. The first rule that holds wins, so a segment's criteria add `not: {any: [...]}` of the
    earlier rules, where they could overlap (types not marked `disjoint`) and always for a last
    rule without clauses (everyone else). A null comparison is false in the criteria language and
    falls through in the `case`, so the two agree on nulls too.
#}
{% macro segment_when_criteria(segment_type, index) -%}
    {%- set segment = segment_type.segments[index] -%}
    {%- set criteria = segment_when_mapping(segment.when) -%}
    {%- if index > 0 and (not segment_type.disjoint or not segment.when) -%}
        {%- set earlier = [] -%}
        {%- for other in segment_type.segments[:index] -%}
            {%- do earlier.append(segment_when_mapping(other.when)) -%}
        {%- endfor -%}
        {%- do criteria.update({'not': {'any': earlier}}) -%}
    {%- endif -%}
    {{ return(criteria) }}
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
