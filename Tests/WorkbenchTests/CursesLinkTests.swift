import Testing
@testable import Workbench

@Test func cursesLinks() { #expect(WorkbenchInfo.cursesVersion.contains("ncurses")) }
