"""Customer lifetime value (docs/lifetime-value.md): the BG/NBD and Gamma-Gamma models fitted by maximum likelihood
on scipy, whether each fit identifies its parameters, the intervals and the holdout check, and the per-customer
figures the dbt Python models write (models/marts/clv)."""
