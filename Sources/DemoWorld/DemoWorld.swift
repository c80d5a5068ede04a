/// The demo world of `examples/`: tenant source databases and a seed-style legacy warehouse.
public enum DemoWorld {}
