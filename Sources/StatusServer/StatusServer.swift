/// The controller's HTTP surface: health, metrics, status and the HTML page (DESIGN.md §7).
public enum StatusServerStage {}
