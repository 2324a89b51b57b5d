{#
    The statistics of campaign_performance (docs/marketing.md#reading-lift), one macro per formula.
    The arguments are SQL expressions, best plain column names (a macro may repeat an argument):
    `converted` and `size` of the treatment group (x1 of n1) and of the holdout (x0 of n0). Every
    figure is a double; a figure that needs an empty group is null. tests/unit/test_campaign_statistics.py
    checks them against statsmodels and by simulation.
#}

{#- The standard normal quantiles: 97.5 % (a two-sided 5 % test, a 95 % interval) and 80 % (power). -#}
{% macro z_975() -%}
    1.959963984540054
{%- endmacro %}

{% macro z_power() -%}
    0.8416212335729143
{%- endmacro %}


{#
    The standard normal lower tail Φ(−a) for a ≥ 0: Hart's rational approximation (Computer
    Approximations, 1968, no. 5666, as given by West, "Better approximations to cumulative normal
    functions", 2005) below 7.07, a continued fraction above, 0 beyond 37; within 1e-8 of the exact
    value, relatively (tests/unit/test_campaign_statistics.py checks it against scipy). DuckDB has no erf.
#}
{% macro normal_lower_tail(a) -%}
    case
        when {{ a }} > 37 then cast(0 as double)
        when {{ a }} < 7.07106781186547
            then exp(-0.5 * {{ a }} * {{ a }})
                * ((((((0.0352624965998911 * {{ a }} + 0.700383064443688) * {{ a }} + 6.37396220353165)
                    * {{ a }} + 33.912866078383) * {{ a }} + 112.079291497871) * {{ a }} + 221.213596169931)
                    * {{ a }} + 220.206867912376)
                / (((((((0.0883883476483184 * {{ a }} + 1.75566716318264) * {{ a }} + 16.064177579207)
                    * {{ a }} + 86.7807322029461) * {{ a }} + 296.564248779674) * {{ a }} + 637.333633378831)
                    * {{ a }} + 793.826512519948) * {{ a }} + 440.413735824752)
        else exp(-0.5 * {{ a }} * {{ a }})
            / ({{ a }} + 1.0 / ({{ a }} + 2.0 / ({{ a }} + 3.0 / ({{ a }} + 4.0 / ({{ a }} + 0.65)))))
            / 2.506628274631
    end
{%- endmacro %}

{#- Φ(x), the standard normal distribution function. -#}
{% macro normal_cdf(x) -%}
    case
        when {{ x }} >= 0 then 1.0 - {{ normal_lower_tail(x) }}
        else {{ normal_lower_tail('(-(' ~ x ~ '))') }}
    end
{%- endmacro %}


{#
    Wilson's score interval (95 %) for one group's conversion rate x / n: the building block of
    Newcombe's interval. (x + z²/2 ∓ z √(x (n − x) / n + z²/4)) / (n + z²).
#}
{% macro wilson_low(converted, size) -%}
    (
        (cast({{ converted }} as double) + {{ z_975() }} * {{ z_975() }} / 2
            - {{ z_975() }} * sqrt(
                cast({{ converted }} as double) * ({{ size }} - {{ converted }}) / {{ size }}
                + {{ z_975() }} * {{ z_975() }} / 4
            ))
        / ({{ size }} + {{ z_975() }} * {{ z_975() }})
    )
{%- endmacro %}

{% macro wilson_high(converted, size) -%}
    (
        (cast({{ converted }} as double) + {{ z_975() }} * {{ z_975() }} / 2
            + {{ z_975() }} * sqrt(
                cast({{ converted }} as double) * ({{ size }} - {{ converted }}) / {{ size }}
                + {{ z_975() }} * {{ z_975() }} / 4
            ))
        / ({{ size }} + {{ z_975() }} * {{ z_975() }})
    )
{%- endmacro %}


{#
    The 95 % interval of the lift p1 − p0 (p = x / n): Newcombe's hybrid score interval ("method
    10", Newcombe 1998), from the two groups' Wilson intervals [l1, u1] and [l0, u0]:
    low = (p1 − p0) − √((p1 − l1)² + (u0 − p0)²), high = (p1 − p0) + √((u1 − p1)² + (p0 − l0)²).
    It stays inside [−1, 1] and behaves at 0 % and 100 %, where the Wald interval collapses.
#}
{% macro lift_ci_low(x1, n1, x0, n0) -%}
    case
        when {{ n1 }} > 0 and {{ n0 }} > 0
            then
                cast({{ x1 }} as double) / {{ n1 }} - cast({{ x0 }} as double) / {{ n0 }}
                - sqrt(
                    power(cast({{ x1 }} as double) / {{ n1 }} - {{ wilson_low(x1, n1) }}, 2)
                    + power({{ wilson_high(x0, n0) }} - cast({{ x0 }} as double) / {{ n0 }}, 2)
                )
    end
{%- endmacro %}

{% macro lift_ci_high(x1, n1, x0, n0) -%}
    case
        when {{ n1 }} > 0 and {{ n0 }} > 0
            then
                cast({{ x1 }} as double) / {{ n1 }} - cast({{ x0 }} as double) / {{ n0 }}
                + sqrt(
                    power({{ wilson_high(x1, n1) }} - cast({{ x1 }} as double) / {{ n1 }}, 2)
                    + power(cast({{ x0 }} as double) / {{ n0 }} - {{ wilson_low(x0, n0) }}, 2)
                )
    end
{%- endmacro %}


{#
    The pooled two-proportion z statistic: (p1 − p0) / √(p (1 − p) (1/n1 + 1/n0)), p = (x1 + x0) /
    (n1 + n0). 0 when p is 0 or 1 (both groups alike, all converted or none: no difference to test).
#}
{% macro pooled_z(x1, n1, x0, n0) -%}
    case
        when {{ n1 }} > 0 and {{ n0 }} > 0
            then case
                when {{ x1 }} + {{ x0 }} = 0 or {{ x1 }} + {{ x0 }} = {{ n1 }} + {{ n0 }} then cast(0 as double)
                else
                    (cast({{ x1 }} as double) / {{ n1 }} - cast({{ x0 }} as double) / {{ n0 }})
                    / sqrt(
                        cast({{ x1 }} + {{ x0 }} as double) / ({{ n1 }} + {{ n0 }})
                        * (1.0 - cast({{ x1 }} + {{ x0 }} as double) / ({{ n1 }} + {{ n0 }}))
                        * (1.0 / {{ n1 }} + 1.0 / {{ n0 }})
                    )
            end
    end
{%- endmacro %}

{#- The two-sided p-value of a z statistic: 2 Φ(−|z|). Pass a column: the tail repeats it. -#}
{% macro two_sided_p_value(z) -%}
    2.0 * {{ normal_lower_tail('abs(' ~ z ~ ')') }}
{%- endmacro %}


{#
    The power of the pooled two-sided 5 % z-test when the true rates are p0 + lift (n1 treated) and
    p0 (n0 held out), by the normal approximation with the pooled variance under the null and each
    group's own under the alternative (Fleiss, Levin and Paik, Statistical Methods for Rates and
    Proportions, 3rd ed., 2003, section 4.2; statsmodels' power_proportions_2indep):
    Φ((lift − z σ0) / σ1) + Φ((−lift − z σ0) / σ1), with p̄ = (n1 (p0 + lift) + n0 p0) / (n1 + n0),
    σ0 = √(p̄ (1 − p̄) (1/n1 + 1/n0)), σ1 = √((p0 + lift)(1 − p0 − lift) / n1 + p0 (1 − p0) / n0).
    For 0 < lift < 1 − p0 (σ1 > 0).
#}
{% macro null_sigma(lift, n1, n0, p0) -%}
    sqrt(
        (({{ n1 }} * ({{ p0 }} + {{ lift }}) + {{ n0 }} * {{ p0 }}) / ({{ n1 }} + {{ n0 }}))
        * (1.0 - ({{ n1 }} * ({{ p0 }} + {{ lift }}) + {{ n0 }} * {{ p0 }}) / ({{ n1 }} + {{ n0 }}))
        * (1.0 / {{ n1 }} + 1.0 / {{ n0 }})
    )
{%- endmacro %}

{% macro alternative_sigma(lift, n1, n0, p0) -%}
    sqrt(
        ({{ p0 }} + {{ lift }}) * (1.0 - {{ p0 }} - {{ lift }}) / {{ n1 }}
        + {{ p0 }} * (1.0 - {{ p0 }}) / {{ n0 }}
    )
{%- endmacro %}


{#
    minimum_detectable_lift for every row of `relation` (columns `n1`, `n0`, `p0`: the group sizes
    and the holdout's conversion rate), kept with `keys`: the absolute lift the test detects with
    80 % power (the power above equals 0.8), found by bisection on (0, 1 − p0] over 60 halvings
    (exact to a double). Null where the groups are empty, where p0 is 1, and where even a lift to
    a 100 % conversion rate would not reach 80 % power.
#}
{% macro minimum_detectable_lifts(relation, keys, iterations=60) -%}
    {%- set key_list = keys | join(', ') %}
    with recursive

    bisection as (

        select
            {{ key_list }},
            cast(n1 as double) as n1,
            cast(n0 as double) as n0,
            cast(p0 as double) as p0,
            0 as iteration,
            cast(0 as double) as low,
            1.0 - cast(p0 as double) as high,
            false as is_reached

        from {{ relation }}
        where n1 > 0 and n0 > 0 and p0 >= 0 and p0 < 1

        union all

        select
            {{ key_list }},
            n1,
            n0,
            p0,
            iteration + 1 as iteration,
            case when power >= 0.8 then low else middle end as low,
            case when power >= 0.8 then middle else high end as high,
            is_reached or power >= 0.8 as is_reached

        from (
            select
                *,
                {{ normal_cdf('upper_z') }} + {{ normal_cdf('lower_z') }} as power
            from (
                select
                    *,
                    (middle - {{ z_975() }} * sigma_null) / sigma_alternative as upper_z,
                    (-middle - {{ z_975() }} * sigma_null) / sigma_alternative as lower_z
                from (
                    select
                        *,
                        {{ null_sigma('middle', 'n1', 'n0', 'p0') }} as sigma_null,
                        {{ alternative_sigma('middle', 'n1', 'n0', 'p0') }} as sigma_alternative
                    from (
                        select
                            {{ key_list }},
                            n1,
                            n0,
                            p0,
                            iteration,
                            low,
                            high,
                            is_reached,
                            (low + high) / 2 as middle
                        from bisection
                        where iteration < {{ iterations }}
                    ) as halved
                ) as spread
            ) as standardised
        ) as powered

    )

    select
        {{ key_list }},
        case when is_reached then high end as minimum_detectable_lift

    from bisection
    where iteration = {{ iterations }}
{%- endmacro %}


{#
    The 95 % interval of incremental_revenue = (m1 − m0) × n1, m the groups' mean window revenue per
    member: a normal interval with Welch's unequal-variance standard error, (m1 − m0 ∓ z √(s1²/n1 +
    s0²/n0)) × n1 (s² the groups' sample variances, the treatment size taken as fixed). Needs two
    members in each group.
#}
{% macro incremental_revenue_ci(side, mean1, var1, n1, mean0, var0, n0) -%}
    case
        when {{ n1 }} > 1 and {{ n0 }} > 1
            then (
                ({{ mean1 }} - {{ mean0 }})
                {{ '-' if side == 'low' else '+' }} {{ z_975() }} * sqrt({{ var1 }} / {{ n1 }} + {{ var0 }} / {{ n0 }})
            ) * {{ n1 }}
    end
{%- endmacro %}


{#
    Whether a campaign's channel tracks opens: sms and phone do not, so their open_rate and
    click_to_open_rate are null. A campaign the log names but campaigns.yml does not (channel
    unknown) is read as tracking them.
#}
{% macro has_open_tracking(channel) -%}
    coalesce({{ channel }} not in ('sms', 'phone'), true)
{%- endmacro %}
