import TOMLKit

/// A TuneBench workspace: a folder whose `tunebench.toml` records every choice the user made.
/// (Filled in by the workspace work of issue 5.)
public enum WorkspaceFile {
    public static let name = "tunebench.toml"
}
