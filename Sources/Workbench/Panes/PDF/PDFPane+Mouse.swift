extension PDFPane {
    /// What `handleMouse` does, for the help overlay.
    public var mouseActions: [String] { ["drag a crop edge: move it"] }
}
