"""The warehouse on other engines than DuckDB: a throwaway Postgres server, loading the raw files
into it, and building on DuckDB, Postgres and Spark to compare what each engine built."""
