extension ChatPane {
    /// What `handleMouse` does, for the help overlay.
    public var mouseActions: [String] { ["wheel: scroll the transcript"] }
}
