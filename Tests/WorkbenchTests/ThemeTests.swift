import Foundation
import Testing
@testable import Workbench

@Suite struct ThemeTests {
    /// The built-in themes alone: no folder to find files in.
    let library = ThemeLibrary(folders: [])

    @Test func everyBuiltInThemeParsesAndNamesEveryRole() throws {
        #expect(library.names == ["dark", "light", "mono"])
        #expect(Set(BuiltinThemes.texts.keys) == ["dark", "light", "mono"])
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

    @Test func aThemeGivesEachRoleTheColoursItsTextNames() throws {
        let dark = try library.load("dark")
        // From BuiltinThemes.dark: status = { fg = 252, bg = 236, fg8 = "black", bg8 = "white" }.
        #expect(dark.style(.status).foreground == ThemeColor(index256: 252, index8: 0))
        #expect(dark.style(.status).background == ThemeColor(index256: 236, index8: 7))
        // accent = { fg = 81, bold = true }: no fg8, so the nearest basic colour.
        #expect(dark.style(.accent).attributes == .bold)
        #expect(dark.style(.accent).foreground.index256 == 81)
    }

    /// A workspace's themes/ folder overrides a built-in theme of the same name and adds new names
    /// to the F5 cycle; the built-ins it does not override stay.
    @Test func aThemeFileInTheWorkspaceOverridesTheBuiltInOne() throws {
        let workspace = FileManager.default.temporaryDirectory.appendingPathComponent("tb-themes-\(UUID().uuidString)")
        let themes = workspace.appendingPathComponent("themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: workspace) }
        // Every role the same colour, so each style is known without reading the built-in.
        let roles = ColorRole.allCases.map { "\($0.rawValue) = { fg = 196 }" }.joined(separator: "\n")
        try "name = \"dark\"\n[roles]\n\(roles)\n".write(to: themes.appendingPathComponent("dark.toml"), atomically: true, encoding: .utf8)
        try "name = \"neon\"\n[roles]\n\(roles)\n".write(to: themes.appendingPathComponent("neon.toml"), atomically: true, encoding: .utf8)
        let library = ThemeLibrary(folders: [themes])
        #expect(library.names == ["dark", "light", "mono", "neon"])
        let dark = try library.load("dark")
        #expect(dark.style(.status) == RoleStyle(foreground: ThemeColor(index256: 196)))
        #expect(dark.style(.accent) == RoleStyle(foreground: ThemeColor(index256: 196)))
        #expect(try library.load("neon").name == "neon")
        #expect(try library.load("light") == (try self.library.load("light")))
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
