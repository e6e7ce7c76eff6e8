import Foundation
import Testing

/// The Swift scorer against numbers printed by the reference scorer, run once by hand:
///   python3 Tests/Fixtures/corpus/score.py Tests/CorpusTests/Fixtures/<fixture>.jsonl \
///       Tests/Fixtures/corpus/<gt>.gt.json --json report.json
/// The fixtures are deliberately poor extractions (no crop: headers and folios leak; few pages:
/// most are missing; one page outside the body) made with `tunebench extract --pages …`.
@Suite struct ScorerAgreementTests {
    @Test func bashManpageUncroppedPagesMatchScorePy() throws {
        let gt = try GroundTruth.load("real/bash-manpage.gt.json")
        let output = try loadJSONL(Data(contentsOf: fixtureURL("bash-p1-5-uncropped.jsonl")))
        let s = scoreOutput(output, against: gt)
        // score.py: word P/R/F1 0.9764521193092621 / 0.059739910486179146 / 0.11259141264209689,
        // hf-leak 75/1305, wrong-in [], wrong-out 6-87; per page (gt, out, matched, leak):
        // (536,551,536,15) (551,566,551,15) (710,725,710,15) (669,684,669,15) (644,659,644,15)
        #expect(abs(s.precision - 0.9764521193092621) < 1e-12)
        #expect(abs(s.recall - 0.059739910486179146) < 1e-12)
        #expect(abs(s.f1 - 0.11259141264209689) < 1e-12)
        #expect(s.leakedTokens == 75 && s.headerFooterTokens == 1305)
        #expect(s.wronglyIncluded.isEmpty && s.wronglyExcluded == Array(6...87))
        #expect(s.rows.map { [$0.gt, $0.out, $0.matched, $0.leak] } == [
            [536, 551, 536, 15], [551, 566, 551, 15], [710, 725, 710, 15], [669, 684, 669, 15], [644, 659, 644, 15],
        ])
    }

    @Test func persuasionUncroppedPagesMatchScorePy() throws {
        let gt = try GroundTruth.load("books/austen-persuasion-a5-latex.gt.json")
        let output = try loadJSONL(Data(contentsOf: fixtureURL("persuasion-p3-7-9-114-uncropped.jsonl")))
        let s = scoreOutput(output, against: gt)
        // score.py: word P/R/F1 0.9932785660941 / 0.015868659993079834 / 0.031238256294626086,
        // hf-leak 7/420, wrong-in [3], 180 wrongly excluded; per page (page, gt, out, matched, leak):
        // (7,349,348,346,0) (8,474,476,474,2) (9,502,505,502,3) (114,8,10,8,2)
        #expect(abs(s.precision - 0.9932785660941) < 1e-12)
        #expect(abs(s.recall - 0.015868659993079834) < 1e-12)
        #expect(abs(s.f1 - 0.031238256294626086) < 1e-12)
        #expect(s.leakedTokens == 7 && s.headerFooterTokens == 420)
        #expect(s.wronglyIncluded == [3] && s.wronglyExcluded.count == 180)
        #expect(s.rows.map { [$0.page, $0.gt, $0.out, $0.matched, $0.leak] } == [
            [7, 349, 348, 346, 0], [8, 474, 476, 474, 2], [9, 502, 505, 502, 3], [114, 8, 10, 8, 2],
        ])
    }

    @Test func hyphenAtLineEndJoinsWordsLikeScorePy() {
        #expect(scoringTokens("some-\nthing don’t ﬁne — x_1") == ["something", "don't", "fine", "x_1"])
    }
}
