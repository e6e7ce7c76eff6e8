#include "tb_kernels.h"
#include "simd.h"

#include <immintrin.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static inline float fmaxf_(float a, float b) { return a > b ? a : b; }

// ---- helpers ---------------------------------------------------------------------------------

__attribute__((target("f16c"))) static inline float half_to_float(const void *p) {
    uint16_t h;
    memcpy(&h, p, 2);
    return _cvtsh_ss(h);
}

typedef void (*matvec_fn)(const void *, size_t, int, int, const int8_t *, const float *, const float *, float *);

// ---- scalar reference (any x86-64) -------------------------------------------------------------

__attribute__((target("f16c")))
static void q4_0_scalar(const void *w, size_t rb, int rows, int blocks, const int8_t *qx, const float *xs,
                        const float *xsum, float *y) {
    (void)xsum;
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        float acc = 0;
        for (int b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * 18;
            const int8_t *x = qx + b * 32;
            int s = 0;
            for (int j = 0; j < 16; j++) s += ((blk[2 + j] & 15) - 8) * x[j] + ((blk[2 + j] >> 4) - 8) * x[j + 16];
            acc += half_to_float(blk) * xs[b] * (float)s;
        }
        y[r] = acc;
    }
}

__attribute__((target("f16c")))
static void q4_1_scalar(const void *w, size_t rb, int rows, int blocks, const int8_t *qx, const float *xs,
                        const float *xsum, float *y) {
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        float acc = 0, offs = 0;
        for (int b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * 20;
            const int8_t *x = qx + b * 32;
            int s = 0;
            for (int j = 0; j < 16; j++) s += (blk[4 + j] & 15) * x[j] + (blk[4 + j] >> 4) * x[j + 16];
            acc += half_to_float(blk) * xs[b] * (float)s;
            offs += half_to_float(blk + 2) * xsum[b];
        }
        y[r] = acc + offs;
    }
}

__attribute__((target("f16c")))
static void q8_0_scalar(const void *w, size_t rb, int rows, int blocks, const int8_t *qx, const float *xs,
                        const float *xsum, float *y) {
    (void)xsum;
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        float acc = 0;
        for (int b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * 34;
            const int8_t *q = (const int8_t *)(blk + 2), *x = qx + b * 32;
            int s = 0;
            for (int j = 0; j < 32; j++) s += q[j] * x[j];
            acc += half_to_float(blk) * xs[b] * (float)s;
        }
        y[r] = acc;
    }
}

// ---- AVX2 ----------------------------------------------------------------------------------

#ifndef PREFETCH_AHEAD
#define PREFETCH_AHEAD 4096  // bytes; measured: DRAM-resident matvec 4.2 → 8.5 GB/s on one core
#endif
#define AVX2_TARGET __attribute__((target("avx2,fma,f16c")))

// 32 nibbles of a Q4 block as bytes 0..15: low nibbles (elements 0–15) then high (16–31).
AVX2_TARGET static inline __m256i unpack_nibbles(const uint8_t *p) {
    __m128i raw = _mm_loadu_si128((const __m128i *)p);
    __m256i both = _mm256_set_m128i(_mm_srli_epi16(raw, 4), raw);
    return _mm256_and_si256(both, _mm256_set1_epi8(15));
}

// Σ u[i]·s[i] over 32 unsigned×signed bytes, as 8 int32 partial sums.
AVX2_TARGET static inline __m256i dot_us_avx2(__m256i u, __m256i s) {
    return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

AVX2_TARGET static void q4_1_avx2(const void *w, size_t rb, int rows, int blocks, const int8_t *qx,
                                  const float *xs, const float *xsum, float *y) {
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
        float offs = 0;
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            const uint8_t *blk = row + b * 20;
            _mm_prefetch((const char *)blk + PREFETCH_AHEAD, _MM_HINT_T0);
            __m256i x0 = _mm256_loadu_si256((const __m256i *)(qx + b * 32));
            __m256i x1 = _mm256_loadu_si256((const __m256i *)(qx + b * 32 + 32));
            __m256i p0 = dot_us_avx2(unpack_nibbles(blk + 4), x0);
            __m256i p1 = dot_us_avx2(unpack_nibbles(blk + 24), x1);
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk) * xs[b]), _mm256_cvtepi32_ps(p0), acc0);
            acc1 = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk + 20) * xs[b + 1]), _mm256_cvtepi32_ps(p1), acc1);
            offs += half_to_float(blk + 2) * xsum[b] + half_to_float(blk + 22) * xsum[b + 1];
        }
        for (; b < blocks; b++) {
            const uint8_t *blk = row + b * 20;
            _mm_prefetch((const char *)blk + PREFETCH_AHEAD, _MM_HINT_T0);
            __m256i x = _mm256_loadu_si256((const __m256i *)(qx + b * 32));
            __m256i p = dot_us_avx2(unpack_nibbles(blk + 4), x);
            acc0 = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk) * xs[b]), _mm256_cvtepi32_ps(p), acc0);
            offs += half_to_float(blk + 2) * xsum[b];
        }
        y[r] = tb_hsum8(_mm256_add_ps(acc0, acc1)) + offs;
    }
}

AVX2_TARGET static void q4_0_avx2(const void *w, size_t rb, int rows, int blocks, const int8_t *qx,
                                  const float *xs, const float *xsum, float *y) {
    (void)xsum;
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        __m256 acc = _mm256_setzero_ps();
        for (int b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * 18;
            _mm_prefetch((const char *)blk + PREFETCH_AHEAD, _MM_HINT_T0);
            __m256i x = _mm256_loadu_si256((const __m256i *)(qx + b * 32));
            __m256i q = _mm256_sub_epi8(unpack_nibbles(blk + 2), _mm256_set1_epi8(8));
            // signed × signed through maddubs: |q| × (x with q's sign)
            __m256i p = dot_us_avx2(_mm256_sign_epi8(q, q), _mm256_sign_epi8(x, q));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk) * xs[b]), _mm256_cvtepi32_ps(p), acc);
        }
        y[r] = tb_hsum8(acc);
    }
}

AVX2_TARGET static void q8_0_avx2(const void *w, size_t rb, int rows, int blocks, const int8_t *qx,
                                  const float *xs, const float *xsum, float *y) {
    (void)xsum;
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        __m256 acc = _mm256_setzero_ps();
        for (int b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * 34;
            _mm_prefetch((const char *)blk + PREFETCH_AHEAD, _MM_HINT_T0);
            __m256i x = _mm256_loadu_si256((const __m256i *)(qx + b * 32));
            __m256i q = _mm256_loadu_si256((const __m256i *)(blk + 2));
            __m256i p = dot_us_avx2(_mm256_sign_epi8(q, q), _mm256_sign_epi8(x, q));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk) * xs[b]), _mm256_cvtepi32_ps(p), acc);
        }
        y[r] = tb_hsum8(acc);
    }
}

// ---- AVX-512 VNNI (256-bit vectors: Zen 4 splits 512-bit ones anyway) ------------------------------

#define VNNI_TARGET __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))

VNNI_TARGET static void q4_1_vnni(const void *w, size_t rb, int rows, int blocks, const int8_t *qx,
                                  const float *xs, const float *xsum, float *y) {
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        __m256 acc = _mm256_setzero_ps();
        float offs = 0;
        for (int b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * 20;
            _mm_prefetch((const char *)blk + PREFETCH_AHEAD, _MM_HINT_T0);
            __m256i x = _mm256_loadu_si256((const __m256i *)(qx + b * 32));
            __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), unpack_nibbles(blk + 4), x);
            acc = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk) * xs[b]), _mm256_cvtepi32_ps(p), acc);
            offs += half_to_float(blk + 2) * xsum[b];
        }
        y[r] = tb_hsum8(acc) + offs;
    }
}

VNNI_TARGET static void q4_0_vnni(const void *w, size_t rb, int rows, int blocks, const int8_t *qx,
                                  const float *xs, const float *xsum, float *y) {
    (void)xsum;
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        __m256 acc = _mm256_setzero_ps();
        for (int b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * 18;
            _mm_prefetch((const char *)blk + PREFETCH_AHEAD, _MM_HINT_T0);
            __m256i x = _mm256_loadu_si256((const __m256i *)(qx + b * 32));
            __m256i q = _mm256_sub_epi8(unpack_nibbles(blk + 2), _mm256_set1_epi8(8));
            __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(q, q), _mm256_sign_epi8(x, q));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk) * xs[b]), _mm256_cvtepi32_ps(p), acc);
        }
        y[r] = tb_hsum8(acc);
    }
}

VNNI_TARGET static void q8_0_vnni(const void *w, size_t rb, int rows, int blocks, const int8_t *qx,
                                  const float *xs, const float *xsum, float *y) {
    (void)xsum;
    for (int r = 0; r < rows; r++) {
        const uint8_t *row = (const uint8_t *)w + r * rb;
        __m256 acc = _mm256_setzero_ps();
        for (int b = 0; b < blocks; b++) {
            const uint8_t *blk = row + b * 34;
            _mm_prefetch((const char *)blk + PREFETCH_AHEAD, _MM_HINT_T0);
            __m256i x = _mm256_loadu_si256((const __m256i *)(qx + b * 32));
            __m256i q = _mm256_loadu_si256((const __m256i *)(blk + 2));
            __m256i p = _mm256_dpbusd_epi32(_mm256_setzero_si256(), _mm256_sign_epi8(q, q), _mm256_sign_epi8(x, q));
            acc = _mm256_fmadd_ps(_mm256_set1_ps(half_to_float(blk) * xs[b]), _mm256_cvtepi32_ps(p), acc);
        }
        y[r] = tb_hsum8(acc);
    }
}

// ---- activation quantization ------------------------------------------------------------------

__attribute__((target("f16c"))) static inline float round_to_half(float v) {
    return _cvtsh_ss(_cvtss_sh(v, _MM_FROUND_TO_NEAREST_INT));
}

__attribute__((target("f16c")))
static void quantize_scalar(const float *x, int n, int8_t *qx, float *xs, float *xsum) {
    for (int b = 0; b < n / 32; b++) {
        const float *v = x + b * 32;
        float amax = 0;
        for (int j = 0; j < 32; j++) amax = fmaxf_(amax, v[j] < 0 ? -v[j] : v[j]);
        const float d = amax / 127, id = amax != 0 ? 127 / amax : 0;
        int sum = 0;
        for (int j = 0; j < 32; j++) {
            int q = (int)__builtin_rintf(v[j] * id);  // default rounding mode: half to even
            qx[b * 32 + j] = (int8_t)q;
            sum += q;
        }
        xs[b] = round_to_half(d);
        xsum[b] = round_to_half(d * (float)sum);
    }
}

AVX2_TARGET static void quantize_avx2(const float *x, int n, int8_t *qx, float *xs, float *xsum) {
    const __m256 sign = _mm256_set1_ps(-0.0f);
    for (int b = 0; b < n / 32; b++) {
        const float *v = x + b * 32;
        __m256 v0 = _mm256_loadu_ps(v), v1 = _mm256_loadu_ps(v + 8), v2 = _mm256_loadu_ps(v + 16), v3 = _mm256_loadu_ps(v + 24);
        __m256 m = _mm256_max_ps(_mm256_max_ps(_mm256_andnot_ps(sign, v0), _mm256_andnot_ps(sign, v1)),
                                 _mm256_max_ps(_mm256_andnot_ps(sign, v2), _mm256_andnot_ps(sign, v3)));
        __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
        m4 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
        m4 = _mm_max_ss(m4, _mm_movehdup_ps(m4));
        const float amax = _mm_cvtss_f32(m4);
        const float d = amax / 127, id = amax != 0 ? 127 / amax : 0;
        const __m256 mul = _mm256_set1_ps(id);
        __m256i i0 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v0, mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i1 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v1, mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i2 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v2, mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i i3 = _mm256_cvtps_epi32(_mm256_round_ps(_mm256_mul_ps(v3, mul), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
        __m256i s = _mm256_add_epi32(_mm256_add_epi32(i0, i1), _mm256_add_epi32(i2, i3));
        __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0x4E));
        s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, 0xB1));
        const int sum = _mm_cvtsi128_si32(s4);
        // int32 → int16 → int8 packs work within 128-bit lanes; fix the order with a permute.
        __m256i p16a = _mm256_packs_epi32(i0, i1), p16b = _mm256_packs_epi32(i2, i3);
        __m256i p8 = _mm256_packs_epi16(p16a, p16b);
        p8 = _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(qx + b * 32), p8);
        xs[b] = round_to_half(d);
        xsum[b] = round_to_half(d * (float)sum);
    }
}

// ---- attention over an fp16 KV cache (AVX2 + F16C; every x86-64 with AVX2 has F16C) ------------------

AVX2_TARGET static inline __m256 load_h8(const uint16_t *p) { return _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)p)); }


// Four dot products (4 keys against one query) reduced into the low 4 lanes of a __m128.
AVX2_TARGET static inline __m128 reduce4(__m256 a0, __m256 a1, __m256 a2, __m256 a3) {
    __m256 h = _mm256_hadd_ps(_mm256_hadd_ps(a0, a1), _mm256_hadd_ps(a2, a3));
    return _mm_add_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
}

AVX2_TARGET static void attend_one_avx2(const float *q, int heads, int hd, const uint16_t *k, const uint16_t *v,
                                        size_t stride, int count, float scale, float *scores, float *out) {
    for (int h = 0; h < heads; h++) {
        const float *qh = q + h * hd;
        float *sc = scores + (size_t)h * count;
        // scores = scale · q·k_j
        int j = 0;
        for (; j + 4 <= count; j += 4) {
            const uint16_t *k0 = k + (size_t)j * stride, *k1 = k0 + stride, *k2 = k1 + stride, *k3 = k2 + stride;
            __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < hd; d += 8) {
                __m256 qd = _mm256_loadu_ps(qh + d);
                a0 = _mm256_fmadd_ps(qd, load_h8(k0 + d), a0);
                a1 = _mm256_fmadd_ps(qd, load_h8(k1 + d), a1);
                a2 = _mm256_fmadd_ps(qd, load_h8(k2 + d), a2);
                a3 = _mm256_fmadd_ps(qd, load_h8(k3 + d), a3);
            }
            _mm_storeu_ps(sc + j, _mm_mul_ps(reduce4(a0, a1, a2, a3), _mm_set1_ps(scale)));
        }
        for (; j < count; j++) {
            const uint16_t *kj = k + (size_t)j * stride;
            __m256 a = _mm256_setzero_ps();
            for (int d = 0; d < hd; d += 8) a = _mm256_fmadd_ps(_mm256_loadu_ps(qh + d), load_h8(kj + d), a);
            sc[j] = tb_hsum8(a) * scale;
        }
        // softmax, then round the probabilities to fp16
        __m256 mx8 = _mm256_set1_ps(-INFINITY);
        for (j = 0; j + 8 <= count; j += 8) mx8 = _mm256_max_ps(mx8, _mm256_loadu_ps(sc + j));
        float mx = -INFINITY;
        {
            float t[8];
            _mm256_storeu_ps(t, mx8);
            for (int i = 0; i < 8; i++) mx = t[i] > mx ? t[i] : mx;
            for (; j < count; j++) mx = sc[j] > mx ? sc[j] : mx;
        }
        __m256 sum8 = _mm256_setzero_ps(), m8 = _mm256_set1_ps(mx);
        for (j = 0; j + 8 <= count; j += 8) {
            __m256 e = tb_exp8(_mm256_sub_ps(_mm256_loadu_ps(sc + j), m8));
            _mm256_storeu_ps(sc + j, e);
            sum8 = _mm256_add_ps(sum8, e);
        }
        float sum = tb_hsum8(sum8);
        for (; j < count; j++) {
            sc[j] = tb_exp1(sc[j] - mx);
            sum += sc[j];
        }
        __m256 inv8 = _mm256_set1_ps(1.0f / sum);
        for (j = 0; j + 8 <= count; j += 8)
            _mm256_storeu_ps(sc + j, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_mul_ps(_mm256_loadu_ps(sc + j), inv8), _MM_FROUND_TO_NEAREST_INT)));
        for (; j < count; j++) sc[j] = _cvtsh_ss(_cvtss_sh(sc[j] * (1.0f / sum), _MM_FROUND_TO_NEAREST_INT));
        // out = Σ_j p_j · v_j, 32 dimensions at a time
        float *oh = out + h * hd;
        for (int d = 0; d < hd; d += 32) {
            int w = hd - d >= 32 ? 32 : hd - d;  // 8, 16, 24 or 32
            __m256 o0 = _mm256_setzero_ps(), o1 = o0, o2 = o0, o3 = o0;
            for (j = 0; j < count; j++) {
                const uint16_t *vj = v + (size_t)j * stride + d;
                __m256 p = _mm256_broadcast_ss(sc + j);
                o0 = _mm256_fmadd_ps(p, load_h8(vj), o0);
                if (w > 8) o1 = _mm256_fmadd_ps(p, load_h8(vj + 8), o1);
                if (w > 16) o2 = _mm256_fmadd_ps(p, load_h8(vj + 16), o2);
                if (w > 24) o3 = _mm256_fmadd_ps(p, load_h8(vj + 24), o3);
            }
            _mm256_storeu_ps(oh + d, o0);
            if (w > 8) _mm256_storeu_ps(oh + d + 8, o1);
            if (w > 16) _mm256_storeu_ps(oh + d + 16, o2);
            if (w > 24) _mm256_storeu_ps(oh + d + 24, o3);
        }
    }
}

void tb_attend_one(const float *q, int heads, int hd, const uint16_t *k, const uint16_t *v, size_t stride,
                   int count, float scale, float *scores, float *out) {
    attend_one_avx2(q, heads, hd, k, v, stride, count, scale, scores, out);
}

__attribute__((target("avx2,f16c"))) void tb_f32_to_f16(const float *src, uint16_t *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm_storeu_si128((__m128i *)(dst + i), _mm256_cvtps_ph(_mm256_loadu_ps(src + i), _MM_FROUND_TO_NEAREST_INT));
    for (; i < n; i++) dst[i] = _cvtss_sh(src[i], _MM_FROUND_TO_NEAREST_INT);
}

__attribute__((target("avx2,f16c"))) void tb_f16_to_f32(const uint16_t *src, float *dst, size_t n) {
    size_t i = 0;
    for (; i + 8 <= n; i += 8) _mm256_storeu_ps(dst + i, load_h8(src + i));
    for (; i < n; i++) dst[i] = _cvtsh_ss(src[i]);
}

// ---- dispatch ----------------------------------------------------------------------------------

typedef void (*quantize_fn)(const float *, int, int8_t *, float *, float *);
static matvec_fn k_q4_0, k_q4_1, k_q8_0;
static quantize_fn k_quantize;
static const char *k_isa;

typedef struct { matvec_fn q4_0, q4_1, q8_0; quantize_fn quantize; const char *name; } kernel_set;

static int lookup(const char *isa, kernel_set *k) {
    __builtin_cpu_init();
    if (strcmp(isa, "avx512vnni") == 0) {
        if (!(__builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512vl") &&
              __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")))
            return 0;
        *k = (kernel_set){q4_0_vnni, q4_1_vnni, q8_0_vnni, quantize_avx2, "avx512vnni"};
    } else if (strcmp(isa, "avx2") == 0) {
        if (!(__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c"))) return 0;
        *k = (kernel_set){q4_0_avx2, q4_1_avx2, q8_0_avx2, quantize_avx2, "avx2"};
    } else if (strcmp(isa, "scalar") == 0) {
        *k = (kernel_set){q4_0_scalar, q4_1_scalar, q8_0_scalar, quantize_scalar, "scalar"};
    } else {
        return 0;
    }
    return 1;
}

int tb_matvec_with(const char *isa, int type, const void *w, size_t rb, int rows, int blocks, const int8_t *qx,
                   const float *xs, const float *xsum, float *y) {
    kernel_set k;
    if (!lookup(isa, &k)) return 0;
    matvec_fn f = type == 2 ? k.q4_0 : type == 3 ? k.q4_1 : type == 8 ? k.q8_0 : 0;
    if (!f) return 0;
    f(w, rb, rows, blocks, qx, xs, xsum, y);
    return 1;
}

int tb_quantize_q8_with(const char *isa, const float *x, int n, int8_t *qx, float *xs, float *xsum) {
    kernel_set k;
    if (!lookup(isa, &k)) return 0;
    k.quantize(x, n, qx, xs, xsum);
    return 1;
}

static int set_isa(const char *isa) {
    kernel_set k;
    if (!lookup(isa, &k)) return 0;
    k_q4_0 = k.q4_0; k_q4_1 = k.q4_1; k_q8_0 = k.q8_0; k_quantize = k.quantize; k_isa = k.name;
    return 1;
}

// TUNEBENCH_ISA=avx2 (or scalar) forces a lower path than the CPU has, so that one machine can run
// the golden and kernel tests on every path it has; an unknown or unsupported name is ignored.
static void choose_once(void) {
    const char *forced = getenv("TUNEBENCH_ISA");
    if (forced && *forced && set_isa(forced)) return;
    if (!set_isa("avx512vnni") && !set_isa("avx2")) set_isa("scalar");
}

static pthread_once_t chosen = PTHREAD_ONCE_INIT;
static inline void choose(void) { pthread_once(&chosen, choose_once); }

const char *tb_kernels_isa(void) { choose(); return k_isa; }
int tb_kernels_force(const char *isa) { choose(); return set_isa(isa); }

void tb_matvec_q4_0(const void *w, size_t rb, int rows, int blocks, const int8_t *qx, const float *xs,
                    const float *xsum, float *y) { choose(); k_q4_0(w, rb, rows, blocks, qx, xs, xsum, y); }
void tb_matvec_q4_1(const void *w, size_t rb, int rows, int blocks, const int8_t *qx, const float *xs,
                    const float *xsum, float *y) { choose(); k_q4_1(w, rb, rows, blocks, qx, xs, xsum, y); }
void tb_matvec_q8_0(const void *w, size_t rb, int rows, int blocks, const int8_t *qx, const float *xs,
                    const float *xsum, float *y) { choose(); k_q8_0(w, rb, rows, blocks, qx, xs, xsum, y); }
void tb_quantize_q8(const float *x, int n, int8_t *qx, float *xs, float *xsum) { choose(); k_quantize(x, n, qx, xs, xsum); }

void tb_round_trip_q8(const float *x, int n, float *out) {
    int8_t q[1024];
    float xs[32], xsum[32];
    for (int start = 0; start < n; start += 1024) {
        int m = n - start < 1024 ? n - start : 1024;
        tb_quantize_q8(x + start, m, q, xs, xsum);
        for (int i = 0; i < m; i++) out[start + i] = (float)q[i] * xs[i / 32];
    }
}
