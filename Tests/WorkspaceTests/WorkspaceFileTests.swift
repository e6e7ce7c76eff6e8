import Testing
import TOMLKit
@testable import Workspace

@Test func workspaceFileNameIsTheDocumentedOne() {
    #expect(WorkspaceFile.name == "tunebench.toml")
}
