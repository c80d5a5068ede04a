/// The desired-state stage: the schema repository's YAML (DESIGN.md §2) read into the warden model,
/// with `file:line:column` diagnostics. Pure: it is handed file contents and never reads the disk.
public enum DesiredStateStage {}
