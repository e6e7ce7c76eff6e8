/// The themes every binary carries, as the TOML text a theme file would hold: `--theme`, the
/// workspace's `[ui] theme` and F5 find them with no file installed. A `<name>.toml` in the
/// workspace's `themes/` folder or in `$TUNEBENCH_HOME/themes` overrides one of the same name.
///
/// Each role: `fg` / `bg` as a 256-colour index (0–255) or a basic colour name (black, red, green,
/// yellow, blue, magenta, cyan, white, default); optional `fg8` / `bg8` for terminals with only 8
/// colours (otherwise the nearest basic colour is used); `bold` / `dim` / `reverse` / `underline`.
/// A theme file of your own uses the same keys.
public enum BuiltinThemes {
    /// Theme names and their TOML text.
    public static let texts: [String: String] = ["dark": dark, "light": light, "mono": mono]

    /// The default.
    static let dark = """
        name = "dark"

        [roles]
        text = { fg = 252 }
        dim = { fg = 244, fg8 = "white", dim = true }
        accent = { fg = 81, bold = true }
        title = { fg = 231, bold = true }
        border = { fg = 240, fg8 = "blue" }
        status = { fg = 252, bg = 236, fg8 = "black", bg8 = "white" }
        selection = { fg = 16, bg = 81, fg8 = "black", bg8 = "cyan" }
        highlight = { fg = 220, bold = true }
        kept = { fg = 231, bold = true }
        cut = { fg = 242, fg8 = "blue" }
        cropBox = { fg = 214, fg8 = "yellow" }
        tokenA = { fg = 16, bg = 111, fg8 = "black", bg8 = "cyan" }
        tokenB = { fg = 16, bg = 180, fg8 = "black", bg8 = "yellow" }
        trainLine = { fg = 75, fg8 = "cyan" }
        smoothLine = { fg = 231, fg8 = "white", bold = true }
        evalLine = { fg = 208, fg8 = "yellow" }
        learningRate = { fg = 141, fg8 = "magenta" }
        compareLine = { fg = 213, fg8 = "magenta", bold = true }
        user = { fg = 117, fg8 = "cyan", bold = true }
        assistant = { fg = 252 }
        warning = { fg = 214, fg8 = "yellow" }
        error = { fg = 203, fg8 = "red", bold = true }
        success = { fg = 114, fg8 = "green" }
        """

    /// For terminals with a light background.
    static let light = """
        name = "light"

        [roles]
        text = { fg = 235, fg8 = "black" }
        dim = { fg = 245, fg8 = "black", dim = true }
        accent = { fg = 25, fg8 = "blue", bold = true }
        title = { fg = 16, fg8 = "black", bold = true }
        border = { fg = 250, fg8 = "blue" }
        status = { fg = 235, bg = 253, fg8 = "white", bg8 = "blue" }
        selection = { fg = 231, bg = 25, fg8 = "white", bg8 = "blue" }
        highlight = { fg = 130, fg8 = "red", bold = true }
        kept = { fg = 16, fg8 = "black", bold = true }
        cut = { fg = 248, fg8 = "blue" }
        cropBox = { fg = 166, fg8 = "red" }
        tokenA = { fg = 16, bg = 153, fg8 = "black", bg8 = "cyan" }
        tokenB = { fg = 16, bg = 223, fg8 = "black", bg8 = "yellow" }
        trainLine = { fg = 26, fg8 = "blue" }
        smoothLine = { fg = 16, fg8 = "black", bold = true }
        evalLine = { fg = 166, fg8 = "red" }
        learningRate = { fg = 91, fg8 = "magenta" }
        compareLine = { fg = 127, fg8 = "magenta", bold = true }
        user = { fg = 25, fg8 = "blue", bold = true }
        assistant = { fg = 235, fg8 = "black" }
        warning = { fg = 130, fg8 = "yellow" }
        error = { fg = 160, fg8 = "red", bold = true }
        success = { fg = 28, fg8 = "green" }
        """

    /// The terminal's own colours, distinctions by attribute only; used when `NO_COLOR` is set.
    static let mono = """
        name = "mono"

        [roles]
        text = {}
        dim = { dim = true }
        accent = { bold = true }
        title = { bold = true, underline = true }
        border = {}
        status = { reverse = true }
        selection = { reverse = true }
        highlight = { bold = true, underline = true }
        kept = { bold = true }
        cut = { dim = true }
        cropBox = { bold = true }
        tokenA = { underline = true }
        tokenB = { reverse = true }
        trainLine = {}
        smoothLine = { bold = true }
        evalLine = { underline = true }
        learningRate = { dim = true }
        compareLine = { dim = true }
        user = { bold = true }
        assistant = {}
        warning = { bold = true }
        error = { bold = true, reverse = true }
        success = { bold = true }
        """
}
