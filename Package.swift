// swift-tools-version:6.0
import PackageDescription

// Hot loops only vectorise with a real target CPU (see ../shared/NOTES.md); haswell (AVX2, FMA, F16C)
// keeps the binary portable to any x86-64 machine from the last decade. Arithmetic and bounds stay
// checked (no unchecked-arithmetic flag): the Engine parses GGUF, safetensors and chat templates from downloaded
// files. Measured on the default model, checked against an unchecked build, alternating runs: prompt
// 697–727 vs 707–736 tokens/s, decode 248–292 vs 248–290, bench-train 308–333 vs 305–317: within
// noise (the hot kernels are C and OpenBLAS).
let fastMath: [SwiftSetting] = [
    .unsafeFlags(["-wmo"], .when(configuration: .release)),
    .unsafeFlags(["-target-cpu", "haswell"]),
]

let package = Package(
    name: "TuneBench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tunebench", targets: ["tunebench"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        .systemLibrary(name: "CNCurses", path: "Sources/CNCurses"),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CPoppler", path: "Sources/CPoppler", pkgConfig: "poppler-glib"),
        // Integer dot kernels with AVX2 / AVX-512 VNNI intrinsics, chosen at run time (decode's matvec).
        .target(name: "CKernels", cSettings: [.unsafeFlags(["-O3"])]),
        .target(name: "Engine", dependencies: ["COpenBLAS", "CKernels"], swiftSettings: fastMath),
        .target(name: "Corpus", dependencies: ["Engine", "CPoppler"]),
        .target(name: "Workspace", dependencies: ["Engine", "Corpus", .product(name: "TOMLKit", package: "TOMLKit")]),
        // The jobs (extract, prepare, fine-tune, chat) built from a workspace, for the CLI and the panes alike.
        .target(name: "Pipeline", dependencies: ["Engine", "Corpus", "Workspace"]),
        .target(name: "Workbench", dependencies: ["Engine", "Corpus", "Workspace", "Pipeline", "CNCurses"]),
        .executableTarget(
            name: "tunebench",
            dependencies: [
                "Engine", "Corpus", "Workspace", "Pipeline", "Workbench",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(name: "EngineTests", dependencies: ["Engine"], exclude: ["Fixtures"]),
        .testTarget(name: "CorpusTests", dependencies: ["Corpus"], exclude: ["Fixtures"]),
        .testTarget(name: "WorkspaceTests", dependencies: ["Workspace"]),
        .testTarget(name: "WorkbenchTests", dependencies: ["Workbench", "Pipeline"], exclude: ["Fixtures"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"]),
        .testTarget(name: "EndToEndTests", dependencies: ["Engine", "Workspace"]),
    ]
)
