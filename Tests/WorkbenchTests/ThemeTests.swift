import Foundation
import Testing
@testable import Workbench

@Suite struct ThemeTests {
    let library = ThemeLibrary(folders: [packageRoot().appendingPathComponent("themes")])

    @Test func theShippedThemesLoadAndNameEveryRole() throws {
        #expect(library.names == ["dark", "light", "mono"])
        for name in library.names {
            let theme = try library.load(name)
            #expect(theme.name == name)
            #expect(Set(theme.styles.keys) == Set(ColorRole.allCases))
        }
        let mono = try library.load("mono")
        // Mono uses the terminal's colours only; kept and cut still differ.
        #expect(mono.styles.values.allSatisfy { $0.foreground == .terminalDefault && $0.background == .terminalDefault })
        #expect(mono.style(.kept).attributes != mono.style(.cut).attributes)
        #expect(mono.style(.tokenA).attributes != mono.style(.tokenB).attributes)
    }

    @Test func aThemeGivesEachRoleTheColoursItsFileNames() throws {
        let dark = try library.load("dark")
        // From themes/dark.toml: status = { fg = 252, bg = 236, fg8 = "black", bg8 = "white" }.
        #expect(dark.style(.status).foreground == ThemeColor(index256: 252, index8: 0))
        #expect(dark.style(.status).background == ThemeColor(index256: 236, index8: 7))
        // accent = { fg = 81, bold = true }: no fg8, so the nearest basic colour.
        #expect(dark.style(.accent).attributes == .bold)
        #expect(dark.style(.accent).foreground.index256 == 81)
    }

    /// xterm's palette: 16 + 36r + 6g + b with channel levels 0, 95, 135, 175, 215, 255, then a
    /// grey ramp 8 + 10k. Expected basic colours (red 1, green 2, yellow 3, blue 4, magenta 5,
    /// cyan 6, white 7) read off those RGB values.
    @Test(arguments: [(196, 1), (46, 2), (226, 3), (21, 4), (201, 5), (51, 6), (231, 7), (16, 0), (232, 0), (255, 7), (9, 1), (4, 4)])
    func eightColourTerminalsGetTheNearestBasicColour(index: Int, basic: Int) {
        #expect(ThemeColor.nearestBasic(index) == basic)
    }

    @Test func noColorSelectsTheMonochromeTheme() {
        let (theme, warning) = library.startingTheme(requested: "dark", environment: ["NO_COLOR": "1"])
        #expect(theme.name == "mono" && warning == nil)
        let (dark, _) = library.startingTheme(requested: "dark", environment: ["NO_COLOR": ""])
        #expect(dark.name == "dark")
        let (fallback, missing) = library.startingTheme(requested: "neon", environment: [:])
        #expect(fallback == .plain)
        #expect(missing?.hasPrefix("no theme 'neon'") == true)
    }

    @Test(arguments: [
        ("[roles]\ntext = { fg = 300 }\n", "roles.text.fg must be 0–255 or a colour name"),
        ("[roles]\nglow = { fg = 1 }\n", "roles.glow is not a role"),
        ("[roles]\ntext = { fg = 1, blink = true }\n", "roles.text.blink is not a style key"),
        ("[roles]\ntext = { fg = 1 }\n", "roles.dim is missing"),
    ])
    func aBadThemeFileIsOneLineNamingTheKey(text: String, message: String) {
        do {
            _ = try Theme(parsing: text, path: "t.toml")
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("t.toml: " + message), "\(error)")
        }
    }
}
