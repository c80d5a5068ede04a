/// The planning stage: a drift report and a policy → the minimal partial reconstruction (DESIGN.md §5). Pure.
public enum PlannerStage {}
