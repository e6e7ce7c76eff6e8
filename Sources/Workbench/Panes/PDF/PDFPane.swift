import Corpus
import Foundation
import Workspace

/// The PDF pane: a page's text laid out at its positions, the crop box over it (kept text bright,
/// cut text dimmed), edge editing with snapping, automatic crop with its evidence, page navigation,
/// the body page range, and extraction to the workspace with a progress bar. Every choice is saved
/// to `tunebench.toml` at once.
public final class PDFPane: Pane {
    public let title = "PDF"

    /// Results of background work.
    enum Message: Sendable {
        case proposal(CropProposal)
        case progress(done: Int, total: Int)
        case extracted(PageExtraction.Summary, path: String)
        case failed(String)
    }

    private let model: WorkspaceModel
    private let mailbox: EventInbox<Message>
    private let document: PDFDocument?
    /// Why there is no document, when there is none.
    private let openError: String?
    private var pageCache: [Int: PDFPage] = [:]

    public private(set) var pageNumber = 1
    public private(set) var editor: CropEditor
    public private(set) var bodyPages: ClosedRange<Int>
    public private(set) var proposal: CropProposal?
    private var autoCropRunning = false
    private var extraction: (done: Int, total: Int)?
    /// The last outcome line (extraction summary, error).
    public private(set) var message: String?
    /// The page number being typed after `g`, and why the last one was refused.
    private var goToInput: LineEditor?
    private var goToProblem: String?
    private var lastLayout: PageLayout?
    private var dragging: CropEdge?
    /// Zoom mode: every page row on a cell row of its own, scrolled by `scroll` rows; otherwise
    /// the whole page fits the pane.
    public private(set) var zoomed = false
    private var scroll = 0
    /// The question asked before extracting with a low-confidence auto crop (y: extract).
    public private(set) var pendingConfirmation: String?

    public init(model: WorkspaceModel, waker: Waker) {
        self.model = model
        mailbox = EventInbox(waker: waker)
        let settings = model.settings.pdf
        var document: PDFDocument? = nil
        var openError: String? = nil
        if let url = model.workspace.pdfURL {
            do { document = try PDFDocument(path: url.path) } catch { openError = error.description }
        } else {
            openError = "no PDF in this workspace: set [pdf] path in \(Workspace.fileName)"
        }
        self.document = document
        self.openError = openError
        let count = document?.pageCount ?? 1
        bodyPages = settings.bodyPages.map { min($0.lowerBound, count)...min($0.upperBound, count) } ?? 1...count
        let firstPage = document.flatMap { try? $0.page(1) }
        let width = firstPage?.size.width ?? 612, height = firstPage?.size.height ?? 792
        editor = CropEditor(box: settings.crop ?? CropBox(x0: 0, top: 0, x1: width, bottom: height),
                            pageWidth: width, pageHeight: height)
        if let firstPage { pageCache[1] = firstPage }
        pageNumber = document == nil ? 1 : bodyPages.lowerBound
    }

    public var pageCount: Int { document?.pageCount ?? 0 }

    /// The go-to prompt's keys while it is open (it takes every printable key), else the page's.
    public var keyBindings: [KeyBinding] {
        if let prompt = goToInput {
            return [
                KeyBinding([.enter], "go to the page typed") { [self] _ in
                    guard let number = Int(prompt.text.trimmingCharacters(in: .whitespaces)) else {
                        goToProblem = "type a page number, 1–\(pageCount)"
                        return
                    }
                    go(to: number)
                    goToInput = nil
                    goToProblem = nil
                },
                KeyBinding([.escape], "cancel") { [self] _ in
                    goToInput = nil
                    goToProblem = nil
                },
            ] + prompt.keyBindings { [self] change in if goToInput != nil { change(&goToInput!) } }
        }
        guard document != nil else { return [] }
        if pendingConfirmation != nil {
            return [
                KeyBinding([.character("y")], "extract anyway") { [self] _ in
                    pendingConfirmation = nil
                    startExtraction()
                },
                KeyBinding([.character("n"), .escape], "do not extract (check the crop and body pages first)") { [self] _ in
                    pendingConfirmation = nil
                    message = "extraction not started"
                },
            ]
        }
        let zoomKeys: [KeyBinding] = zoomed ? [
            KeyBinding([.character("j"), .character("k")], "zoom: scroll the page a row down / up") { [self] key in
                scroll += key == .character("j") ? 1 : -1
            },
            KeyBinding([.character("d"), .character("u")], "zoom: scroll half a screen down / up") { [self] key in
                let half = max(1, (lastLayout?.rect.height ?? 20) / 2)
                scroll += key == .character("d") ? half : -half
            },
        ] : []
        return zoomKeys + [
            KeyBinding([.character("z")], zoomed ? "fit the whole page in the pane" : "zoom: a cell row per page row, scrolled with j/k, u/d") { [self] _ in
                zoomed.toggle()
                scroll = 0
            },
            KeyBinding([.pageDown, .pageUp], "next / previous page (the mouse wheel too)") { [self] key in
                go(to: pageNumber + (key == .pageDown ? 1 : -1))
            },
            KeyBinding([.home, .end], "first / last page") { [self] key in go(to: key == .home ? 1 : pageCount) },
            KeyBinding([.character("g")], "go to page (type its number, Enter)") { [self] _ in goToInput = LineEditor() },
            KeyBinding([.character(" ")], "select the next crop edge (top, right, bottom, left)") { [self] _ in editor.selectNextEdge() },
            KeyBinding([.up, .down, .left, .right], "move the selected edge (to the next line gap when snapping)") { [self] key in moveEdge(key) },
            KeyBinding([.character("K"), .character("J"), .character("H"), .character("L")], "move it a coarse step up/down/left/right") { [self] key in
                moveEdge(key)
            },
            KeyBinding([.character("s")], "snap to line gaps / move freely") { [self] _ in editor.snaps.toggle() },
            KeyBinding([.character("a")], "automatic crop: cut running heads, footers, folios") { [self] _ in startAutoCrop() },
            KeyBinding([.character("["), .character("]")], "mark this page as the body's first / last") { [self] key in
                if key == .character("[") {
                    bodyPages = pageNumber...max(pageNumber, bodyPages.upperBound)
                } else {
                    bodyPages = min(pageNumber, bodyPages.lowerBound)...pageNumber
                }
                saveChoices()
            },
            KeyBinding([.character("r")], "reset the crop to the whole page") { [self] _ in
                editor.box = CropBox(x0: 0, top: 0, x1: editor.pageWidth, bottom: editor.pageHeight)
                saveChoices()
            },
            KeyBinding([.character("e")], "extract the body pages to the workspace (asks first after a doubtful auto crop)") { [self] _ in
                if let proposal, proposal.isDoubtful, proposal.box == editor.box, proposal.bodyPages == bodyPages {
                    pendingConfirmation = String(format: "auto crop confidence %.2f is low: extract anyway? y/n", proposal.confidence)
                } else {
                    startExtraction()
                }
            },
        ]
    }

    public var job: JobStatus? {
        if let extraction { return JobStatus("extracting \(extraction.done)/\(extraction.total)") }
        if autoCropRunning { return JobStatus("auto-cropping") }
        return nil
    }

    /// The current page, loaded on first use (one page is a few milliseconds of poppler).
    public var page: PDFPage? {
        if let cached = pageCache[pageNumber] { return cached }
        guard let document, let loaded = try? document.page(pageNumber) else { return nil }
        pageCache[pageNumber] = loaded
        return loaded
    }

    private var gaps: [Double] { page.map(CropEditor.lineGaps(of:)) ?? [] }

    // MARK: Events

    private func moveEdge(_ key: Key) {
        let coarse: Bool, direction: Int, vertical: Bool
        switch key {
        case .up: (coarse, direction, vertical) = (false, -1, true)
        case .down: (coarse, direction, vertical) = (false, 1, true)
        case .left: (coarse, direction, vertical) = (false, -1, false)
        case .right: (coarse, direction, vertical) = (false, 1, false)
        case .character("K"): (coarse, direction, vertical) = (true, -1, true)
        case .character("J"): (coarse, direction, vertical) = (true, 1, true)
        case .character("H"): (coarse, direction, vertical) = (true, -1, false)
        default: (coarse, direction, vertical) = (true, 1, false)
        }
        // Up/down move a horizontal edge, left/right a vertical one; the other arrows pick the
        // nearest edge of the right kind first.
        if vertical != editor.selected.isHorizontal {
            editor.selected = vertical ? (direction < 0 ? .top : .bottom) : (direction < 0 ? .left : .right)
        }
        editor.move(direction, coarse: coarse, gaps: gaps)
        saveChoices()
    }

    /// Dragging a crop edge (press within a cell of it), and the wheel to turn pages.
    public func handleMouse(_ mouse: MouseEvent) -> Bool {
        guard let layout = lastLayout else { return false }
        switch mouse.kind {
        case .press:
            // The nearest edge within one cell of the pointer.
            let distances: [(CropEdge, Int)] = [
                (.top, abs(mouse.y - layout.edgeRow(.top))),
                (.bottom, abs(mouse.y - layout.edgeRow(.bottom))),
                (.left, abs(mouse.x - layout.edgeColumn(editor.box.x0))),
                (.right, abs(mouse.x - layout.edgeColumn(editor.box.x1))),
            ]
            guard let (edge, distance) = distances.min(by: { $0.1 < $1.1 }), distance <= 1 else { return false }
            editor.selected = edge
            dragging = edge
        case .drag, .release:
            guard let edge = dragging else { return false }
            let value = edge.isHorizontal ? layout.pointY(row: mouse.y) : layout.pointX(column: mouse.x)
            editor.set(edge, to: value, snappingTo: gaps)
            if mouse.kind == .release {
                dragging = nil
                saveChoices()
            }
        case .scrollDown: go(to: pageNumber + 1)
        case .scrollUp: go(to: pageNumber - 1)
        }
        return true
    }

    private func go(to number: Int) {
        guard pageCount > 0 else { return }
        let target = min(max(1, number), pageCount)
        if target != pageNumber { scroll = 0 }
        pageNumber = target
    }

    /// Writes crop box and body range to `tunebench.toml`.
    private func saveChoices() {
        model.settings.pdf.crop = editor.box
        model.settings.pdf.bodyPages = bodyPages
        if !model.save() { message = model.lastError }
    }

    // MARK: Background work

    private func startAutoCrop() {
        guard let document, !autoCropRunning else { return }
        autoCropRunning = true
        let mailbox = mailbox
        runInBackground { mailbox.post(.proposal(AutoCrop.propose(for: document))) }
    }

    private func startExtraction() {
        guard let document, extraction == nil else { return }
        let pages = Array(bodyPages)
        let crop = editor.box
        let output = model.workspace.pagesURL
        let footnotes = model.settings.pdf.footnotes
        let pdfPath = document.path
        let mailbox = mailbox
        extraction = (0, pages.count)
        message = nil
        runInBackground {
            // One document per core: poppler documents are single-threaded.
            let workers = max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))
            let documents = [document] + (1..<workers).compactMap { _ in try? PDFDocument(path: pdfPath) }
            let temporary = output.deletingLastPathComponent().appendingPathComponent(".\(output.lastPathComponent).partial")
            guard let file = fopen(temporary.path, "w") else {
                mailbox.post(.failed("cannot write \(temporary.path): \(String(cString: strerror(errno)))"))
                return
            }
            do {
                let summary = try PageExtraction(crop: crop, pages: pages, footnotes: footnotes).run(
                    on: documents,
                    sink: { number, text in
                        guard fputs(jsonlLine(page: number, text: text) + "\n", file) >= 0 else {
                            throw PDFError.outputFailed(path: temporary.path, reason: String(cString: strerror(errno)))
                        }
                    },
                    progress: { done, total in mailbox.post(.progress(done: done, total: total)) })
                guard fclose(file) == 0, rename(temporary.path, output.path) == 0 else {
                    mailbox.post(.failed("cannot write \(output.path): \(String(cString: strerror(errno)))"))
                    return
                }
                mailbox.post(.extracted(summary, path: output.path))
            } catch {
                fclose(file)
                unlink(temporary.path)
                mailbox.post(.failed("\(error)"))
            }
        }
    }

    public func update() -> Bool {
        let messages = mailbox.drain()
        for message in messages { apply(message) }
        return !messages.isEmpty
    }

    /// Takes in one background result (also used by tests to show a proposal without a thread).
    func apply(_ result: Message) {
        switch result {
        case .proposal(let proposal):
            autoCropRunning = false
            self.proposal = proposal
            editor.box = proposal.box
            bodyPages = proposal.bodyPages
            message = String(format: "auto crop: confidence %.2f, body pages %d–%d", proposal.confidence,
                             proposal.bodyPages.lowerBound, proposal.bodyPages.upperBound)
                + (proposal.isDoubtful ? "; doubtful: check it before extracting" : "")
            saveChoices()
        case .progress(let done, let total): extraction = (done, total)
        case .extracted(let summary, let path):
            extraction = nil
            message = "wrote \(summary.pagesWritten) pages to \(URL(fileURLWithPath: path).lastPathComponent)"
                + (summary.warnings.isEmpty ? "" : "; \(summary.warnings.count) warning(s): \(summary.warnings[0])")
        case .failed(let reason):
            extraction = nil
            autoCropRunning = false
            message = "error: \(reason)"
        }
    }

    // MARK: Drawing

    /// The side panel's width: a third of the pane, at least 30 columns, less when the page's
    /// longest line (`pageColumns` cells with the page's border and margins) would not fit beside
    /// it; none below 80 columns.
    static func panelWidth(for width: Int, pageColumns: Int = 0) -> Int {
        width >= 80 ? max(30, min(width / 3, width - pageColumns)) : 0
    }

    public func draw(into grid: inout Grid, in rect: Rect) {
        guard document != nil, let page else {
            grid.put(openError ?? "page \(pageNumber) cannot be read", x: rect.x + 2, y: rect.y + 1, role: .error, clip: rect)
            return
        }
        // A line needs a cell per character, plus the border and two margin columns each side.
        let longestLine = page.lines.map(\.characters.count).max() ?? 0
        let panelWidth = Self.panelWidth(for: rect.width, pageColumns: longestLine + 6)
        let (viewArea, panel) = rect.splitLeft(rect.width - panelWidth)
        // One column each side for the edge handles, the page inside a border.
        let modeName = zoomed ? "zoom" : "fit"
        Frame.drawBorder(into: &grid, viewArea, role: .border, title: "page \(pageNumber)/\(pageCount) \(modeName)")
        let pageRect = viewArea.inset(by: 1)
        guard !pageRect.isEmpty else { return }
        let layout = PageLayout(page: page, crop: editor.box, rect: pageRect, mode: zoomed ? .zoom : .fit, scroll: scroll)
        scroll = layout.scroll
        lastLayout = layout
        drawPageText(page, layout: layout, into: &grid)
        drawCropBox(layout: layout, viewArea: viewArea, into: &grid)
        if panelWidth > 0 {
            drawPanel(into: &grid, in: panel, page: page, layout: layout)
        } else if let goToInput {
            // No side panel to hold the prompt: it goes over the page's bottom border.
            goToInput.draw(into: &grid, in: Rect(x: viewArea.x + 1, y: viewArea.maxY - 1, width: viewArea.width - 2, height: 1),
                           prompt: "go to page: ")
        }
    }

    /// The attributes of cut text: dimmed and underlined, so it reads as cut in the mono theme
    /// too (where dim alone may not show); spaces inside a cut run are drawn `·`.
    static let cutAttributes: CellAttributes = [.dim, .underline]

    /// The characters where `layout` placed them, `.kept` or `.cut` by the shared keep rule; rows
    /// holding two page rows show `¦` between them; lines auto crop judged furniture are marked
    /// `✂` in the border.
    private func drawPageText(_ page: PDFPage, layout: PageLayout, into grid: inout Grid) {
        var previous: PageLayout.Placement? = nil
        for p in layout.placements {
            let role: ColorRole = p.kept ? .kept : .cut
            let attributes: CellAttributes = p.kept ? [] : Self.cutAttributes
            // Word spaces only: a wide gap (a folio beside a running head) stays blank.
            if let previous, previous.y == p.y, !previous.kept, !p.kept, p.x - previous.x == 2 {
                for x in previous.x + 1..<p.x { grid.put("·", x: x, y: p.y, role: .cut, attributes: attributes, clip: layout.rect) }
            }
            grid.put(String(Character(page.characters[p.index].scalar)), x: p.x, y: p.y, role: role,
                     attributes: attributes, clip: layout.rect)
            previous = p
        }
        for (x, y) in layout.separators { grid.put("¦", x: x, y: y, role: .dim, clip: layout.rect) }
        for (x, y, kept) in layout.ellipses {
            grid.put("…", x: x, y: y, role: kept ? .kept : .cut, attributes: kept ? [] : Self.cutAttributes, clip: layout.rect)
        }
        let furniture = proposal?.evidence.filter(\.isFurniture) ?? []
        guard !furniture.isEmpty else { return }
        for y in layout.rect.y..<layout.rect.maxY {
            let rows = layout.textRowsAt(y).map { layout.textRows[$0] }
            if rows.contains(where: { row in furniture.contains { row.centerY >= $0.top - 1 && row.centerY <= $0.bottom + 1 } }) {
                grid.put("✂", x: layout.rect.x - 1, y: y, role: .warning)
            }
        }
    }

    /// Horizontal edges on rows of their own between text rows, vertical edges on blank cells
    /// outside each row's text (an edge never runs through a line: the kept/cut marks say where
    /// the line is cut), handles in the border; the selected edge in `.highlight`.
    private func drawCropBox(layout: PageLayout, viewArea: Rect, into grid: inout Grid) {
        let box = editor.box
        let top = layout.edgeRow(.top), bottom = layout.edgeRow(.bottom)
        let left = layout.edgeColumn(box.x0), right = layout.edgeColumn(box.x1)
        func role(_ edge: CropEdge) -> ColorRole { editor.selected == edge ? .highlight : .cropBox }
        var textSpan: [Int: ClosedRange<Int>] = [:]
        for p in layout.placements {
            textSpan[p.y] = textSpan[p.y].map { min($0.lowerBound, p.x)...max($0.upperBound, p.x) } ?? p.x...p.x
        }
        func mark(_ ch: Character, _ x: Int, _ y: Int, _ r: ColorRole) {
            guard layout.rect.contains(x: x, y: y), grid[x, y].character == " " else { return }
            if let span = textSpan[y], x >= span.lowerBound - 1, x <= span.upperBound + 1 { return }
            grid[x, y] = Cell(ch, role: r)
        }
        if left <= right {
            for x in left...right {
                mark(x == left ? "┌" : x == right ? "┐" : "─", x, top, role(.top))
                mark(x == left ? "└" : x == right ? "┘" : "─", x, bottom, role(.bottom))
            }
        }
        if top + 1 <= bottom - 1 {
            for y in top + 1...bottom - 1 {
                mark("│", left, y, role(.left))
                mark("│", right, y, role(.right))
            }
        }
        for (edge, y) in [(CropEdge.top, top), (.bottom, bottom)] where y > viewArea.y && y < viewArea.maxY - 1 {
            grid.put("▶", x: viewArea.x, y: y, role: role(edge), attributes: .bold)
        }
        grid.put("▲", x: left, y: viewArea.maxY - 1, role: role(.left), attributes: .bold)
        grid.put("▲", x: right, y: viewArea.maxY - 1, role: role(.right), attributes: .bold)
    }

    /// The panel's lines, wrapped to its width (nothing is cut off at the right; what does not fit
    /// below is left for a taller terminal).
    private func drawPanel(into grid: inout Grid, in rect: Rect, page: PDFPage, layout: PageLayout) {
        // A blank column between the page's border and the text; the panel's own right edge is
        // the pane's.
        let area = Rect(x: rect.x + 1, y: rect.y, width: max(0, rect.width - 1), height: rect.height)
        guard !area.isEmpty else { return }
        var y = area.y
        func line(_ text: String, _ role: ColorRole = .text, _ attributes: CellAttributes = []) {
            for wrapped in TextView.wrap(StyledParagraph(text: text, role: role), width: area.width) {
                guard y < area.maxY else { return }
                grid.put(wrapped.text, x: area.x, y: y, role: role, attributes: attributes, clip: area)
                y += 1
            }
        }
        let name = document.map { URL(fileURLWithPath: $0.path).lastPathComponent } ?? ""
        line(name, .title, .bold)
        let inBody = bodyPages.contains(pageNumber)
        line("page \(pageNumber) of \(pageCount)  \(inBody ? "body" : "not in body")", inBody ? .text : .dim)
        line("body pages \(bodyPages.lowerBound)–\(bodyPages.upperBound)")
        if let goToInput, y < area.maxY {
            goToInput.draw(into: &grid, in: Rect(x: area.x, y: y, width: area.width, height: 1), prompt: "go to page: ")
            y += 1
            if let goToProblem { line(goToProblem, .error) }
        }
        if let pendingConfirmation { line(pendingConfirmation, .warning, .bold) }
        // Progress and the last outcome near the top, where a short terminal still shows them.
        if let extraction {
            line("extracting \(extraction.done)/\(extraction.total)", .accent)
            line(ProgressBar.text(done: extraction.done, total: extraction.total, width: area.width), .success)
        }
        if let message { line(message, message.hasPrefix("error") ? .error : .success) }
        line("")
        line("crop box (points)", .accent)
        for edge in CropEdge.allCases {
            let selected = editor.selected == edge
            line(String(format: "%@ %-6@ %6.1f", selected ? "▸" : " ", edge.rawValue, editor.value(of: edge)),
                 selected ? .highlight : .text, selected ? .bold : [])
        }
        line(editor.snaps ? "edges snap to line gaps (s: free)" : "edges move freely (s: snap)", .dim)
        let kept = page.text(in: editor.box).split(separator: "\n").count
        line("\(kept) of \(page.lines.count) lines kept on this page")
        if zoomed {
            let shown = min(layout.items.count, layout.rect.height)
            line("zoom: rows \(layout.scroll + 1)–\(layout.scroll + shown) of \(layout.items.count) (j/k, u/d scroll; z: fit)", .dim)
        } else if layout.sharedRows > 0 {
            line("fit: \(layout.textRows.count) text rows on \(layout.rect.height) screen rows, \(layout.sharedRows) of them hold two (¦); z: zoom", .dim)
        } else {
            line("fit: the whole page (z: zoom)", .dim)
        }
        line("")
        if autoCropRunning { line("auto crop running…", .accent) }
        if let proposal {
            line(String(format: "auto crop (confidence %.2f)", proposal.confidence), .accent)
            for judged in proposal.evidence.prefix(6) {
                let verdict = judged.isFurniture ? "cut " : "kept"
                let zone = judged.zone == .header ? "head" : "foot"
                line("\(verdict) \(zone) ×\(judged.pages.count) \(judged.shownAs)", judged.isFurniture ? .cut : .kept)
            }
            // The confidence's factors, then the pages left out and why.
            for signal in proposal.signals { line("• " + signal.description, signal.factor < 1 ? .warning : .text) }
            for excluded in proposal.excludedPages { line("✂ " + excluded.description, .dim) }
            line("")
        }
    }
}

