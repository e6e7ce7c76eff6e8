import Foundation
import Workspace

/// The open workspace, shared by the panes and the status bar (UI thread only). Panes change
/// `settings` and call `save()`; a failed save is kept as `lastError` for the status bar.
public final class WorkspaceModel {
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

    /// The folder's name, for the status bar.
    public var name: String { workspace.directory.lastPathComponent }
}
