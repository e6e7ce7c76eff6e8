@preconcurrency import CNCurses
import Foundation

/// The ncurses backend: copies a `Grid` to the terminal (only the cells that changed) with one
/// colour pair per `ColorRole` from the theme, and turns ncurses input into `InputEvent`s. It
/// computes nothing else.
final class CursesTerminal {
    private var previous: Grid?
    private var themeName = ""
    private var pairsSet = false
    private var dragging = false

    /// Starts curses on the process's terminal.
    init() {
        setlocale(LC_ALL, "")
        // ncurses reports resizes only if it can install its SIGWINCH handler, which it does only
        // over the default disposition; a parent may have left the signal ignored or blocked, and
        // both survive exec. Take it back before initscr.
        signal(SIGWINCH, SIG_DFL)
        var winch = sigset_t()
        sigemptyset(&winch)
        sigaddset(&winch, SIGWINCH)
        pthread_sigmask(SIG_UNBLOCK, &winch, nil)
        initscr()
        raw()
        noecho()
        nonl()
        keypad(stdscr, true)
        nodelay(stdscr, true)
        set_escdelay(25)
        curs_set(0)
        if has_colors() {
            start_color()
            use_default_colors()
        }
        mouseinterval(0)
        mousemask(tb_mouse_mask_all(), nil)
        // Button-event tracking: reports motion while a button is held (for dragging crop edges).
        print("\u{1B}[?1002h", terminator: "")
        fflush(stdout)
    }

    /// Leaves curses, restoring the terminal.
    func end() {
        print("\u{1B}[?1002l", terminator: "")
        fflush(stdout)
        endwin()
    }

    var size: (width: Int, height: Int) { (Int(COLS), Int(LINES)) }

    /// Colours the terminal can show (8, 256…; 0 without colour).
    private var colorCount: Int { has_colors() ? Int(COLORS) : 0 }

    private func installPairs(_ theme: Theme) {
        guard colorCount >= 8 else { return }
        let wide = colorCount >= 256
        for (i, role) in ColorRole.allCases.enumerated() {
            let style = theme.style(role)
            let fg = wide ? style.foreground.index256 : style.foreground.index8
            let bg = wide ? style.background.index256 : style.background.index8
            init_pair(Int16(i + 1), Int16(fg), Int16(bg))
        }
    }

    /// Draws `grid`, writing only cells that differ from the last call (everything after a resize
    /// or a theme change).
    func flush(_ grid: Grid, theme: Theme) {
        var full = previous == nil || previous!.width != grid.width || previous!.height != grid.height
        if theme.name != themeName || !pairsSet {
            installPairs(theme)
            themeName = theme.name
            pairsSet = true
            full = true
        }
        if full { clearok(stdscr, true) }
        let roleIndex = Dictionary(uniqueKeysWithValues: ColorRole.allCases.enumerated().map { ($1, $0) })
        let useColor = colorCount >= 8
        var cchar = cchar_t()
        for y in 0..<grid.height {
            for x in 0..<grid.width {
                let cell = grid[x, y]
                if cell.isContinuation { continue }
                if !full, let previous, previous[x, y] == cell { continue }
                let style = theme.style(cell.role)
                let attributes = cursesAttributes(style.attributes.union(cell.attributes))
                let pair = useColor ? Int16((roleIndex[cell.role] ?? 0) + 1) : 0
                var chars: [wchar_t] = cell.character.unicodeScalars.map { wchar_t(bitPattern: $0.value) } + [0]
                if chars.count > 6 { chars = Array(chars.prefix(5)) + [0] }  // CCHARW_MAX = 5
                setcchar(&cchar, chars, attributes, pair, nil)
                mvadd_wch(Int32(y), Int32(x), &cchar)
            }
        }
        previous = grid
        refresh()
    }

    private func cursesAttributes(_ a: CellAttributes) -> attr_t {
        var out = tb_a_normal()
        if a.contains(.bold) { out |= tb_a_bold() }
        if a.contains(.dim) { out |= tb_a_dim() }
        if a.contains(.reverse) { out |= tb_a_reverse() }
        if a.contains(.underline) { out |= tb_a_underline() }
        return out
    }

    /// Every input event waiting, without blocking.
    func readEvents() -> [InputEvent] {
        var events: [InputEvent] = []
        var value: wint_t = 0
        while true {
            let status = get_wch(&value)
            if status == ERR { break }
            if status == KEY_CODE_YES {
                if let event = functionKey(Int32(value)) { events.append(event) }
            } else if let key = character(UInt32(value)) {
                events.append(.key(key))
            }
        }
        return events
    }

    private func character(_ code: UInt32) -> Key? {
        switch code {
        case 9: return .tab
        case 10, 13: return .enter
        case 27: return .escape
        case 8, 127: return .backspace
        case 1...26: return .control(Character(Unicode.Scalar(code + 96)!))
        default: return Unicode.Scalar(code).map { .character(Character($0)) }
        }
    }

    private func functionKey(_ code: Int32) -> InputEvent? {
        switch code {
        case KEY_RESIZE: return .resize(width: Int(COLS), height: Int(LINES))
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_HOME: return .key(.home)
        case KEY_END: return .key(.end)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_IC: return .key(.insert)
        case KEY_DC: return .key(.delete)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_ENTER: return .key(.enter)
        case KEY_BTAB: return .key(.backTab)
        case KEY_MOUSE: return mouse()
        default:
            for n in 1...12 where code == tb_key_f(Int32(n)) { return .key(.function(n)) }
            return nil
        }
    }

    private func mouse() -> InputEvent? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let x = Int(event.x), y = Int(event.y), state = event.bstate
        if state & tb_button4_pressed() != 0 { return .mouse(MouseEvent(kind: .scrollUp, x: x, y: y)) }
        if state & tb_button5_pressed() != 0 { return .mouse(MouseEvent(kind: .scrollDown, x: x, y: y)) }
        if state & tb_button1_pressed() != 0 {
            dragging = true
            return .mouse(MouseEvent(kind: .press, x: x, y: y))
        }
        if state & (tb_button1_released() | tb_button1_clicked()) != 0 {
            dragging = false
            return .mouse(MouseEvent(kind: .release, x: x, y: y))
        }
        if state & tb_report_mouse_position() != 0, dragging { return .mouse(MouseEvent(kind: .drag, x: x, y: y)) }
        return nil
    }
}
