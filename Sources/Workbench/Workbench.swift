@preconcurrency import CNCurses

/// The terminal workbench.
public enum WorkbenchInfo {
    public static var cursesVersion: String { String(cString: curses_version()) }
}
