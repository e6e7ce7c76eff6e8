import Foundation
import Workspace

/// The open workspace, shared by the panes and the status bar (UI thread only). Panes change
/// `settings` and call `save()`; a failed save is kept as `lastError` for the status bar.
/// Unchecked Sendable: only the UI thread touches it (form validators run there too).
public final class WorkspaceModel: @unchecked Sendable {
    public var workspace: Workspace
    public private(set) var lastError: String?

    public init(_ workspace: Workspace) { self.workspace = workspace }

    public var settings: WorkspaceSettings {
        get { workspace.settings }
        set { workspace.settings = newValue }
    }

    /// Writes `tunebench.toml`; returns whether it worked.
    @discardableResult
    public func save() -> Bool {
        do {
            try workspace.save()
            lastError = nil
            return true
        } catch {
            lastError = error.description
            return false
        }
    }

    /// A path the user typed in the workbench, resolved like the file's own paths: relative to the
    /// workspace folder unless absolute (`~` expanded).
    public func resolve(_ typed: String) -> URL { workspace.resolve(typed) }

    /// The folder's name, for the status bar.
    public var name: String { workspace.directory.lastPathComponent }
}
