/// A block format the frozen base's projections can be requantized to when training loads them
/// (`tunebench train --base-quant`), as QLoRA does with NF4.
public enum BaseQuantization: String, CaseIterable, Sendable, Codable {
    /// 4-bit NormalFloat: 64-weight blocks, an f32 absmax scale, the NF4 code book (`NF4`).
    case nf4
    /// ggml's Q8_0: 32-weight blocks, an f16 scale, 8-bit integers.
    case q8_0
    /// ggml's Q4_0: 32-weight blocks, an f16 scale, 4-bit integers.
    case q4_0

    /// Weights per block; a matrix's rows must be a whole number of blocks.
    public var blockSize: Int { ggmlType?.blockSize ?? NF4.blockSize }

    /// Bytes one row of `columns` weights takes (`columns` a multiple of `blockSize`).
    public func rowBytes(_ columns: Int) -> Int {
        ggmlType.map { columns / $0.blockSize * $0.typeSize } ?? NF4.byteCount(columns)
    }

    var ggmlType: GGMLType? {
        switch self {
        case .nf4: nil
        case .q8_0: .q8_0
        case .q4_0: .q4_0
        }
    }
}

/// A frozen base matrix as the training graph reads it: quantized, with rows dequantized into a
/// scratch buffer right before each use (QLoRA, the default), or held in f32 once for the run.
/// The quantized form is the model file's own, or one the graph requantized at load (`requantized`).
struct FrozenMatrix {
    enum Encoding: Equatable {
        case ggml(GGMLType)
        case nf4
    }

    let name: String
    let rows: Int  // out features
    let columns: Int  // in features
    let encoding: Encoding
    let data: UnsafeRawPointer  // rows × rowBytes
    let rowBytes: Int
    let f32: UnsafePointer<Float>?  // (rows, columns) when the base is kept in f32

    /// The model file's matrix as it is stored.
    init(matrix: WeightMatrix, f32: UnsafePointer<Float>?) {
        self.init(name: matrix.name, rows: matrix.rows, columns: matrix.columns, encoding: .ggml(matrix.type),
                  data: matrix.data, rowBytes: matrix.rowBytes, f32: f32)
    }

    init(name: String, rows: Int, columns: Int, encoding: Encoding, data: UnsafeRawPointer, rowBytes: Int,
         f32: UnsafePointer<Float>?) {
        self.name = name
        self.rows = rows
        self.columns = columns
        self.encoding = encoding
        self.data = data
        self.rowBytes = rowBytes
        self.f32 = f32
    }

    /// Decodes `count` whole rows from row `first` into `dst` (count × columns floats).
    func decode(rowsFrom first: Int, count: Int, into dst: UnsafeMutablePointer<Float>) {
        let src = data + first * rowBytes
        switch encoding {
        case .ggml(let type): dequantize(type, src, into: dst, count: count * columns)
        case .nf4: NF4.dequantize(src, into: dst, count: count * columns)
        }
    }

    /// Rows `range` as f32 (range.count, columns): a view of the f32 copy, or dequantized into `scratch`.
    func rows(_ range: Range<Int>, scratch: UnsafeMutablePointer<Float>, threads: Int) -> UnsafePointer<Float> {
        if let f32 { return f32 + range.lowerBound * columns }
        let m = self
        Parallel.forRanges(count: range.count, parts: range.count * columns >= 1 << 16 ? threads : 1) { part in
            m.decode(rowsFrom: range.lowerBound + part.lowerBound, count: part.count, into: scratch + part.lowerBound * m.columns)
        }
        return UnsafePointer(scratch)
    }

    /// The whole matrix as f32.
    func all(scratch: UnsafeMutablePointer<Float>, threads: Int) -> UnsafePointer<Float> {
        rows(0..<rows, scratch: scratch, threads: threads)
    }

    /// `matrix` converted row by row (dequantized, then quantized as `format`) into `storage`,
    /// which must hold `rows × format.rowBytes(columns)` bytes and outlive the result. A matrix
    /// already stored as `format` is only copied. Throws when a row is not a whole number of blocks.
    static func requantized(_ matrix: WeightMatrix, to format: BaseQuantization, storage: UnsafeMutableRawPointer,
                            threads: Int) throws(TrainingError) -> FrozenMatrix {
        let columns = matrix.columns, rowBytes = format.rowBytes(columns)
        guard columns % format.blockSize == 0 else {
            throw .badSetting("cannot requantize \(matrix.name) to \(format.rawValue): its rows of \(columns) weights are not whole \(format.blockSize)-weight blocks")
        }
        if let type = format.ggmlType, type == matrix.type {
            storage.copyMemory(from: matrix.data, byteCount: matrix.rows * rowBytes)
        } else {
            Parallel.forRanges(count: matrix.rows, parts: threads) { part in
                let row = UnsafeMutablePointer<Float>.allocate(capacity: columns)
                defer { row.deallocate() }
                for r in part {
                    dequantize(matrix.type, matrix.row(r), into: row, count: columns)
                    let out = storage + r * rowBytes
                    // Cannot throw: the row is a whole number of blocks of a quantizable format.
                    if let type = format.ggmlType { try? quantize(type, row, into: out, count: columns) } else { try? NF4.quantize(row, into: out, count: columns) }
                }
            }
        }
        return FrozenMatrix(name: matrix.name, rows: matrix.rows, columns: columns,
                            encoding: format.ggmlType.map { .ggml($0) } ?? .nf4, data: UnsafeRawPointer(storage), rowBytes: rowBytes, f32: nil)
    }
}
