/// The controller: the continuous GitOps loop, leader election and status (DESIGN.md §7).
public enum ControllerStage {}
