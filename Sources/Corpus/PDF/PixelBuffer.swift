import CPoppler

/// Pixel layout of a rendered page.
public enum PixelFormat: Sendable {
    /// 4 bytes a pixel: red, green, blue, alpha (alpha is always 255: pages render on white).
    case rgba
    /// 1 byte a pixel: luminance (0 black … 255 white).
    case gray
}

/// A rendered page: rows top to bottom, no padding (`width * bytesPerPixel` bytes a row).
public struct PixelBuffer: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let format: PixelFormat
    /// width × height × bytesPerPixel bytes.
    public let pixels: [UInt8]

    public var bytesPerPixel: Int { format == .rgba ? 4 : 1 }

    public init(width: Int, height: Int, format: PixelFormat, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.format = format
        self.pixels = pixels
    }
}

extension PixelBuffer {
    /// Renders with cairo into an ARGB32 surface (native-endian premultiplied 0xAARRGGBB words),
    /// then unpacks into `format`. The caller holds the document lock.
    init(rendering page: OpaquePointer, number: Int, scale: Double, format: PixelFormat) throws(PDFError) {
        guard scale > 0, scale.isFinite else { throw .renderFailed(page: number, reason: "scale must be > 0") }
        var w = 0.0, h = 0.0
        poppler_page_get_size(page, &w, &h)
        let width = max(1, Int((w * scale).rounded(.up))), height = max(1, Int((h * scale).rounded(.up)))
        guard width <= 20_000, height <= 20_000 else {
            throw .renderFailed(page: number, reason: "\(width)×\(height) pixels is too large")
        }
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width), Int32(height)),
              cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
        else { throw .renderFailed(page: number, reason: "cairo could not allocate the surface") }
        defer { cairo_surface_destroy(surface) }
        guard let cr = cairo_create(surface) else { throw .renderFailed(page: number, reason: "cairo_create failed") }
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        cairo_scale(cr, scale, scale)
        poppler_page_render(page, cr)
        cairo_destroy(cr)
        cairo_surface_flush(surface)

        let stride = Int(cairo_image_surface_get_stride(surface))
        guard let data = cairo_image_surface_get_data(surface) else {
            throw .renderFailed(page: number, reason: "no surface data")
        }
        let bpp = format == .rgba ? 4 : 1
        var pixels = [UInt8](repeating: 0, count: width * height * bpp)
        pixels.withUnsafeMutableBufferPointer { out in
            for y in 0..<height {
                let row = UnsafeRawPointer(data + y * stride).assumingMemoryBound(to: UInt32.self)
                for x in 0..<width {
                    let argb = row[x]  // opaque after painting white, so un-premultiplying is a no-op
                    let r = UInt8((argb >> 16) & 0xFF), g = UInt8((argb >> 8) & 0xFF), b = UInt8(argb & 0xFF)
                    if bpp == 4 {
                        let o = (y * width + x) * 4
                        out[o] = r
                        out[o + 1] = g
                        out[o + 2] = b
                        out[o + 3] = 255
                    } else {
                        // ITU-R BT.601 luma, integer weights summing to 256.
                        out[y * width + x] = UInt8((77 * UInt32(r) + 150 * UInt32(g) + 29 * UInt32(b)) >> 8)
                    }
                }
            }
        }
        self.init(width: width, height: height, format: format, pixels: pixels)
    }
}
