/// The drift stage: desired × live × as-of date → a deterministic drift report (DESIGN.md §4). Pure.
public enum DriftStage {}
