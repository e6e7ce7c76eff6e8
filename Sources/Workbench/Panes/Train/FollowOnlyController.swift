import Workspace

/// A controller for a workbench without a trainer (tests, or a Train pane that only follows other
/// runs' metrics): starting a run says so instead of doing nothing.
public final class FollowOnlyController: TrainingController {
    public private(set) var state: TrainingState = .idle
    public init() {}
    public func start(_ workspace: Workspace, events: @escaping @Sendable (TrainingEvent) -> Void) throws {
        throw FollowOnlyError()
    }
    public func pause() {}
    public func resume() {}
    public func stop() {}

    struct FollowOnlyError: Error, CustomStringConvertible {
        var description: String { "this workbench has no trainer attached; press f to follow a run's metrics file" }
    }
}
