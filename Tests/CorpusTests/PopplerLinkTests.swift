import Testing
@testable import Corpus

@Test func popplerLinks() { #expect(!CorpusInfo.popplerVersion.isEmpty) }
