// 16-bit floats, one element per "block":
//   F16   IEEE 754 binary16, little-endian: sign:1 exponent:5 mantissa:10
//   BF16  bfloat16, little-endian: the high 16 bits of an IEEE binary32 (sign:1 exponent:8 mantissa:7)
// and F32 (binary32, little-endian), handled here too as rows of plain floats.
//
// Conversions follow ggml (ggml-impl.h): f32→f16 rounds to nearest even (F16C `vcvtps2ph`);
// f32→bf16 is ggml_compute_fp32_to_bf16: NaNs become quiet NaNs, everything else rounds to
// nearest even; bf16→f32 shifts the bits back up.

/// bfloat16 bits → Float.
@inline(__always)
func bf16ToFloat(_ bits: UInt16) -> Float {
    Float(bitPattern: UInt32(bits) << 16)
}

/// Float → bfloat16 bits, as ggml_compute_fp32_to_bf16.
@inline(__always)
func floatToBF16(_ value: Float) -> UInt16 {
    let u = value.bitPattern
    if u & 0x7fff_ffff > 0x7f80_0000 {  // NaN: keep sign and payload top, force quiet
        return UInt16(truncatingIfNeeded: u >> 16) | 64
    }
    return UInt16(truncatingIfNeeded: (u &+ (0x7fff &+ ((u >> 16) & 1))) >> 16)
}

// MARK: - Rows

/// count halves at `src` → floats at `dst`.
func dequantizeF16(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count { dst[i] = loadHalf(src, 2 * i) }
}

/// count bfloat16s at `src` → floats at `dst`.
func dequantizeBF16(_ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, count: Int) {
    for i in 0..<count {
        dst[i] = bf16ToFloat(UInt16(littleEndian: src.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
    }
}

func quantizeF16(_ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer, count: Int) {
    for i in 0..<count { storeHalf(src[i], dst, 2 * i) }
}

func quantizeBF16(_ src: UnsafePointer<Float>, into dst: UnsafeMutableRawPointer, count: Int) {
    for i in 0..<count {
        dst.storeBytes(of: floatToBF16(src[i]).littleEndian, toByteOffset: 2 * i, as: UInt16.self)
    }
}

/// Σ a[i]·x[i] over `count` floats; two 16-lane accumulators, scalar tail.
func dotF32(_ a: UnsafePointer<Float>, _ x: UnsafePointer<Float>, count: Int) -> Float {
    var acc0 = SIMD16<Float>(), acc1 = SIMD16<Float>()
    var i = 0
    while i + 32 <= count {
        acc0 = acc0 + load16(a + i) * load16(x + i)
        acc1 = acc1 + load16(a + i + 16) * load16(x + i + 16)
        i += 32
    }
    var sum = (acc0 + acc1).sum()
    while i < count {
        sum += a[i] * x[i]
        i += 1
    }
    return sum
}

/// Σ half[i]·x[i]: converts 256 halves at a time into `scratch` (a vectorised `vcvtph2ps` loop),
/// then multiplies 16 lanes at a time.
func dotF16(
    _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int, scratch: UnsafeMutablePointer<Float>
) -> Float {
    dotConverted(row, x, count: count, scratch: scratch, bytesPerElement: 2, convert: dequantizeF16)
}

/// Σ bf16[i]·x[i], as `dotF16`.
func dotBF16(
    _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int, scratch: UnsafeMutablePointer<Float>
) -> Float {
    dotConverted(row, x, count: count, scratch: scratch, bytesPerElement: 2, convert: dequantizeBF16)
}

/// Converts `count` elements 256 at a time into `scratch` and dots them with `x`.
@inline(__always)
private func dotConverted(
    _ row: UnsafeRawPointer, _ x: UnsafePointer<Float>, count: Int, scratch: UnsafeMutablePointer<Float>,
    bytesPerElement: Int,
    convert: (UnsafeRawPointer, UnsafeMutablePointer<Float>, Int) -> Void
) -> Float {
    var acc = SIMD16<Float>()
    var i = 0
    while i + 256 <= count {
        convert(row + i * bytesPerElement, scratch, 256)
        accumulateDot16(scratch, x + i, 256, into: &acc)
        i += 256
    }
    var sum = acc.sum()
    if i < count {
        let rest = count - i
        convert(row + i * bytesPerElement, scratch, rest)
        sum += dotF32(scratch, x + i, count: rest)
    }
    return sum
}
