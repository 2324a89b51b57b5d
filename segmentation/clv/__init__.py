"""Customer lifetime value: the BG/NBD and Gamma-Gamma models (spec section 13), fitted by maximum likelihood
on scipy, and the per-customer figures the dbt Python models write (models/marts/clv)."""
