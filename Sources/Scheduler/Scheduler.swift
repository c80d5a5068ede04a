/// The scheduling stage: a plan, maintenance windows and an injected clock → what may run now (DESIGN.md §6).
/// Pure.
public enum SchedulerStage {}
