// Tokenizer throughput: encode a whole text file once (single thread) and print MB/s plus a checksum
// of the ids, so bench/tokenizer_speed.sh can compare speed and output with HF tokenizers.
// Built by tokenizer_speed.sh straight from Sources/Engine/Tokenizer with swiftc (no package change).
import Foundation

let arguments = CommandLine.arguments
guard arguments.count == 3 else {
    print("usage: tokenizer-speed TOKENIZER_JSON TEXT_FILE")
    exit(2)
}
let loadStart = Date()
let tokenizer = try Tokenizer(huggingFaceJSON: URL(fileURLWithPath: arguments[1]))
let loadSeconds = Date().timeIntervalSince(loadStart)
let text = try String(contentsOfFile: arguments[2], encoding: .utf8)
let megabytes = Double(text.utf8.count) / 1e6

var best = Double.infinity
var ids: [Int32] = []
for _ in 0..<3 {
    let start = Date()
    ids = tokenizer.encode(text, addBOS: false)
    best = min(best, Date().timeIntervalSince(start))
}
let decodeStart = Date()
let decoded = tokenizer.decode(ids)
let decodeSeconds = Date().timeIntervalSince(decodeStart)

var checksum: UInt64 = 1469598103934665603
for id in ids { checksum = (checksum ^ UInt64(UInt32(bitPattern: id))) &* 1099511628211 }
print(String(format: "swift: load %.2f s; encode %.2f MB in %.3f s = %.2f MB/s, %d tokens, checksum %llu; decode %.3f s, round trip %@",
             loadSeconds, megabytes, best, megabytes / best, ids.count, checksum, decodeSeconds,
             decoded == text ? "ok" : "DIFFERS"))
