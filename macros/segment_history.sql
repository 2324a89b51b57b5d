{#
    Named monthly views over the segment history, so the guide's migration query, which reads a
    table called `customer_segments_snapshot_<yyyy>_<mm>`, runs unchanged for every recorded
    month. Each view shows the month's last recorded as-of date, with `snapshot_date` as in the
    guide. Run at the end of every build; a month appears once the history has a date in it.
#}
{% macro create_monthly_snapshot_views() -%}
    {%- if not execute or flags.WHICH not in ('run', 'build') -%}
        {{ return('') }}
    {%- endif -%}
    {%- set store = adapter.get_relation(database=target.database, schema=target.schema, identifier='customer_segment_snapshots') -%}
    {%- if store is none -%}
        {{ return('') }}
    {%- endif -%}
    {%- set latest_by_month = {} -%}
    {%- for row in run_query('select distinct as_of_date from ' ~ store) -%}
        {%- set as_of = row[0] -%}
        {%- set month = as_of.strftime('%Y_%m') -%}
        {%- if month not in latest_by_month or as_of > latest_by_month[month] -%}
            {%- do latest_by_month.update({month: as_of}) -%}
        {%- endif -%}
    {%- endfor -%}
    {#- one statement at a time: Spark runs no multi-statement scripts -#}
    {%- for month, as_of in latest_by_month.items() | sort -%}
        {%- do run_query(
            'create or replace view ' ~ target.schema ~ '.customer_segments_snapshot_' ~ month ~ ' as'
            ~ ' select *, as_of_date as snapshot_date from ' ~ store
            ~ ' where as_of_date = ' ~ date_literal(as_of.isoformat())
        ) -%}
    {%- endfor -%}
    {{ return('') }}
{%- endmacro %}


{#
    `dbt run-operation recalculate_segments [--args '{as_of_date: YYYY-MM-DD}']`

    Re-applies the segment rules, with the thresholds as they are now configured, to the figures
    already computed for a recorded as-of date (default: the latest), without reading the
    transactions again. It rewrites the segments of that date in the history (and in
    customer_segments when the mart is of that date), rebuilds the marts derived from the history
    (rebuild_derived_history, below) and prints who moved where. It changes the
    working file only: readers of the published file see it after `make publish` (it says so).
    Use it after tuning a threshold; computing a new month's figures is the build's job (`dbt build --vars
    '{as_of_date: ...}'` or `python -m segmentation.run_month`).
#}
{% macro recalculate_segments(as_of_date=none) -%}
    {%- set store = adapter.get_relation(database=target.database, schema=target.schema, identifier='customer_segment_snapshots') -%}
    {%- if store is none -%}
        {{ exceptions.raise_compiler_error("recalculate_segments: there is no segment history yet (table customer_segment_snapshots); run `dbt build` first") }}
    {%- endif -%}
    {%- set recorded = run_query('select distinct as_of_date from ' ~ store ~ ' order by as_of_date').columns[0].values() | map('string') | list -%}
    {%- set wanted = (as_of_date | string) if as_of_date is not none else (recorded | last) -%}
    {%- if wanted not in recorded -%}
        {{ exceptions.raise_compiler_error(
            "recalculate_segments: no figures are computed for as-of date " ~ wanted
            ~ "; recorded dates: " ~ (recorded | join(', ') or 'none')
            ~ ". Compute that month first: dbt build --vars '{as_of_date: " ~ wanted ~ "}'") }}
    {%- endif -%}

    {%- set changes_sql -%}
        select customer_segment as from_segment, to_segment, count(*) as customers
        from (
            select customer_segment, {{ segment_case('name') }} as to_segment
            from {{ store }}
            where as_of_date = {{ date_literal(wanted) }}
        ) as recalculated
        where customer_segment <> to_segment
        group by customer_segment, to_segment
        order by customers desc, from_segment, to_segment
    {%- endset -%}
    {%- set changes = run_query(changes_sql) -%}
    {%- set customers = run_query('select count(*) from ' ~ store ~ ' where as_of_date = ' ~ date_literal(wanted)).columns[0].values()[0] -%}

    {%- set targets = [store] -%}
    {%- set mart = adapter.get_relation(database=target.database, schema=target.schema, identifier='customer_segments') -%}
    {%- if mart is not none and run_query('select count(*) from ' ~ mart ~ ' where as_of_date = ' ~ date_literal(wanted)).columns[0].values()[0] > 0 -%}
        {%- do targets.append(mart) -%}
    {%- endif -%}
    {%- for relation in targets %}
        {%- call statement('recalculate_' ~ loop.index) -%}
            update {{ relation }}
            set customer_segment = {{ segment_case('name') }},
                segment_priority = {{ segment_case('priority') }}
            where as_of_date = {{ date_literal(wanted) }}
        {%- endcall -%}
    {%- endfor %}
    {#- the catalog's membership store follows: its behavioural memberships of that date take the new segments -#}
    {%- set memberships = adapter.get_relation(database=target.database, schema=target.schema, identifier='segment_membership_snapshots') -%}
    {%- if memberships is not none -%}
        {%- call statement('recalculate_memberships') -%}
            update {{ memberships }}
            set segment_id = case recalculated.customer_segment
                {%- for rule in segment_rules() %}
                when '{{ rule.name }}' then 'behavioral/{{ segment_slug(rule.name) }}'
                {%- endfor %}
            end
            from {{ store }} as recalculated
            where {{ memberships }}.customer_id = recalculated.customer_id
                and {{ memberships }}.as_of_date = recalculated.as_of_date
                and {{ memberships }}.segment_type = 'behavioral'
                and recalculated.as_of_date = {{ date_literal(wanted) }}
        {%- endcall -%}
        {%- do targets.append(memberships) -%}
    {%- endif %}
    {%- do targets.extend(rebuild_derived_history()) -%}
    {%- do adapter.commit() -%}

    {%- set moved = changes.columns[2].values() | sum -%}
    {{ log("Recalculated the segments of " ~ customers ~ " customers as of " ~ wanted ~ " with the current rules: "
        ~ moved ~ " changed segment (updated: " ~ (targets | map('string') | join(', ')) ~ ").", info=true) }}
    {%- for row in changes.rows %}
        {{ log("  " ~ row[0] ~ " -> " ~ row[1] ~ ": " ~ row[2], info=true) }}
    {%- endfor %}
    {{ log("This changed the working file (" ~ target.path ~ ") only: readers of the published file see it after "
        ~ "`make publish` (or `python -m segmentation.publish`).", info=true) if target.type == 'duckdb' else '' }}
{%- endmacro %}


{#
    The tables derived from the two stores, rebuilt from their own models' SQL (rendered here as a build renders
    it) after recalculate_segments has rewritten a date in the stores, so that they agree with the stores at once,
    as a build leaves them. Rendered outside a run, the incremental segment figures compute every date. Returns the
    tables it rebuilt; one still a view (built before they were tables) reads the stores on every read and needs
    nothing, and a model disabled on the engine is skipped.
#}
{% macro rebuild_derived_history() -%}
    {%- set rebuilt = [] -%}
    {%- for name in [
        'customer_segment_history',
        'customer_segment_memberships',
        'segment_migrations',
        'int_segment_members_summarized',
        'segment_analytics',
    ] -%}
        {%- set node = graph.nodes.get('model.' ~ project_name ~ '.' ~ name) -%}
        {%- set relation = adapter.get_relation(database=node.database, schema=node.schema, identifier=node.alias)
            if node is not none and node.config.enabled else none -%}
        {%- if relation is not none and relation.is_table -%}
            {%- set columns = adapter.get_columns_in_relation(relation) | map(attribute='name') | join(', ') -%}
            {%- set query = render(node.raw_code) -%}
            {%- call statement('empty_' ~ name) -%}
                delete from {{ relation }}
            {%- endcall -%}
            {%- call statement('rebuild_' ~ name) -%}
                insert into {{ relation }} ({{ columns }})
                select {{ columns }} from ({{ query }}) as derived
            {%- endcall -%}
            {%- do rebuilt.append(relation) -%}
        {%- endif -%}
    {%- endfor -%}
    {{ return(rebuilt) }}
{%- endmacro %}
