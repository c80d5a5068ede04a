/// The catalog stage: the live warehouse read from `pg_catalog` in a few bulk queries (DESIGN.md §3).
public enum CatalogStage {}
